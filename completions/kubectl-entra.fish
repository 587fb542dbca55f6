# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_entra_global_optspecs
    string join \n v/v= h/help V/version
end

function __fish_kubectl_entra_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_entra_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_entra_using_subcommand
    set -l cmd (__fish_kubectl_entra_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "get-token" -d 'Print an ExecCredential for kubectl (the exec credential plugin entry point)'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "login" -d 'Sign in now and cache the tokens (shows who signed in, never the token)'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "logout" -d 'Remove cached tokens (of one tenant/client/server, or --all)'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "whoami" -d 'Show who the cluster thinks you are, beside what your Entra token says'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "can-i" -d 'Check whether you may do something, and why'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "bind" -d 'Bind Entra groups, users or service accounts to a namespace with a role'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "unbind" -d 'Remove bindings that `kubectl entra bind` created'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "bindings" -d 'List who is bound to what, with Entra group names'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "who-can" -d 'List every subject that may do something, through which binding and role, with Entra names'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "audit" -d 'Find bindings that cannot work on an Entra-integrated cluster, with the commands that fix them'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "convert-kubeconfig" -d 'Rewrite kubeconfig users (azure auth-provider or kubelogin) to use kubectl-entra'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "sandbox" -d 'Run a local Entra tenant emulator and Kubernetes API on loopback'
complete -c kubectl-entra -n "__fish_kubectl_entra_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l tenant-id -d 'Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l client-id -d 'Client application: the public client a user signs in with, or the service principal or identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l server-id -d 'Server application (the token audience); AKS uses the same id in every cloud' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -s l -l login -d 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -s e -l environment -d 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l authority-host -d 'Authority host URL, overriding --environment (https; http only for loopback). An --environment flag wins over this variable' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l client-secret -d 'Client secret of the service principal (spn)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l client-certificate -d 'Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l client-certificate-password -d 'Password of a PFX certificate (spn)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l federated-token-file -d 'Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l identity-resource-id -d 'ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service\'s $IDENTITY_ENDPOINT)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -s s -l subscription -d 'Azure CLI subscription id or name (azurecli)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l azure-pipelines-service-connection-id -d 'Id of the Azure Resource Manager service connection whose federated credential signs in (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l redirect-url -d 'Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/ (default: http://localhost:<free port>/) (interactive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l login-hint -d 'Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l prompt -d 'What the sign-in page asks: select_account, login, consent or none (interactive)' -r -f -a "select_account\t''
login\t''
consent\t''
none\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l browser-timeout -d 'How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds each network call instead)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l token-cache-dir -d 'Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l token-cache -d 'Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)' -r -f -a "auto\t''
keyring\t''
file\t''
keyring-kernel\t'The Linux kernel keyring (keyutils): volatile, emptied at reboot; only when asked for'"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l timeout -d 'Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l authority-ca-file -d 'Also trust the CA certificates in this PEM file for Entra, Graph and managed identity (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l use-azurerm-env-vars -d 'Read the Terraform AzureRM provider\'s ARM_* variables instead of AZURE_*/AAD_*'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -l disable-environment-override -d 'Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand get-token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l tenant-id -d 'Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l client-id -d 'Client application: the public client a user signs in with, or the service principal or identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l server-id -d 'Server application (the token audience); AKS uses the same id in every cloud' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -s l -l login -d 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -s e -l environment -d 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l authority-host -d 'Authority host URL, overriding --environment (https; http only for loopback). An --environment flag wins over this variable' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l client-secret -d 'Client secret of the service principal (spn)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l client-certificate -d 'Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l client-certificate-password -d 'Password of a PFX certificate (spn)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l federated-token-file -d 'Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l identity-resource-id -d 'ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service\'s $IDENTITY_ENDPOINT)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -s s -l subscription -d 'Azure CLI subscription id or name (azurecli)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l azure-pipelines-service-connection-id -d 'Id of the Azure Resource Manager service connection whose federated credential signs in (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l redirect-url -d 'Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/ (default: http://localhost:<free port>/) (interactive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l login-hint -d 'Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l prompt -d 'What the sign-in page asks: select_account, login, consent or none (interactive)' -r -f -a "select_account\t''
login\t''
consent\t''
none\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l browser-timeout -d 'How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds each network call instead)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l token-cache-dir -d 'Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l token-cache -d 'Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)' -r -f -a "auto\t''
keyring\t''
file\t''
keyring-kernel\t'The Linux kernel keyring (keyutils): volatile, emptied at reboot; only when asked for'"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l timeout -d 'Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l authority-ca-file -d 'Also trust the CA certificates in this PEM file for Entra, Graph and managed identity (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l use-azurerm-env-vars -d 'Read the Terraform AzureRM provider\'s ARM_* variables instead of AZURE_*/AAD_*'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -l disable-environment-override -d 'Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l tenant-id -d 'Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l client-id -d 'Client application: the public client a user signs in with, or the service principal or identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l server-id -d 'Server application (the token audience); AKS uses the same id in every cloud' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -s l -l login -d 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -s e -l environment -d 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l authority-host -d 'Authority host URL, overriding --environment (https; http only for loopback). An --environment flag wins over this variable' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l client-secret -d 'Client secret of the service principal (spn)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l client-certificate -d 'Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l client-certificate-password -d 'Password of a PFX certificate (spn)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l federated-token-file -d 'Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l identity-resource-id -d 'ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service\'s $IDENTITY_ENDPOINT)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -s s -l subscription -d 'Azure CLI subscription id or name (azurecli)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l azure-pipelines-service-connection-id -d 'Id of the Azure Resource Manager service connection whose federated credential signs in (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l redirect-url -d 'Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/ (default: http://localhost:<free port>/) (interactive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l login-hint -d 'Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l prompt -d 'What the sign-in page asks: select_account, login, consent or none (interactive)' -r -f -a "select_account\t''
login\t''
consent\t''
none\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l browser-timeout -d 'How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds each network call instead)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l token-cache-dir -d 'Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l token-cache -d 'Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)' -r -f -a "auto\t''
keyring\t''
file\t''
keyring-kernel\t'The Linux kernel keyring (keyutils): volatile, emptied at reboot; only when asked for'"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l timeout -d 'Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l authority-ca-file -d 'Also trust the CA certificates in this PEM file for Entra, Graph and managed identity (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l use-azurerm-env-vars -d 'Read the Terraform AzureRM provider\'s ARM_* variables instead of AZURE_*/AAD_*'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l disable-environment-override -d 'Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -l all -d 'Remove every cached token, of every tenant, client and server'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -s o -l output -d 'Output format: a table, or one json / yaml document with both views for scripts' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -s n -l namespace -d 'Namespace to check in (default: the context\'s namespace; never sent for cluster-scoped resources, so a RoleBinding cannot give a false yes)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l subresource -d 'Subresource, such as log or status' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l verbs -d 'Verbs for --matrix (default: get list watch create update patch delete)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l as -d 'Impersonate this user (admins checking someone else)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l as-group -d 'Impersonate this group, e.g. an Entra group\'s object id (repeatable; needs --as)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l as-entra-group -d 'Impersonate an Entra group given by display name (resolved to its object id through Microsoft Graph; repeatable; needs --as)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -s o -l output -d 'Output format: table, or json / yaml for scripts (the answer with its reason, the --list rules, or the --matrix)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -s A -l all-namespaces -d 'Check across all namespaces'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -s q -l quiet -d 'Print nothing: exit 0 for yes, 1 for no (2 for an error, as always)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l why -d 'Explain which binding allows it (with Entra group names), or which bindings apply and what is missing; printed on stdout after the yes/no line'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l list -d 'List everything you may do in the namespace'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l matrix -d 'Print an access matrix (resources x verbs; namespaces x verbs for one resource with -A) from one rules review per namespace: coloured ✔/✖ on a terminal, yes/no when piped'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l no-headers -d 'Omit table headers (--list, --matrix)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand can-i" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l group -d 'Entra group by display name (bind looks it up in Microsoft Graph; unbind also matches the name bind recorded)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l group-id -d 'Entra group by object id; no Graph lookup' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l user -d 'A member\'s UPN, or the object id of a guest or service principal (AKS names those by object id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l service-account -d 'A Kubernetes service account as NAMESPACE:NAME' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -s n -l namespace -d 'Namespace to grant access in' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l role -d 'full-access (the AKS article\'s Role), admin, edit, view, or the name of an existing Role/ClusterRole' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l dry-run -d 'none, client (print the manifests, touch nothing) or server (validate on the API server)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -s o -l output -d 'Print the manifests (yaml by default with --dry-run=client) instead of result lines' -r -f -a "yaml\t''
json\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l create-namespace -d 'Create the namespace when it does not exist'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l cluster-wide -d 'Bind with a ClusterRoleBinding, granting the role in every namespace (needs --yes-cluster-wide)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l yes-cluster-wide -d 'Confirm that a cluster-wide grant is intended'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bind" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l group -d 'Entra group by display name (bind looks it up in Microsoft Graph; unbind also matches the name bind recorded)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l group-id -d 'Entra group by object id; no Graph lookup' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l user -d 'A member\'s UPN, or the object id of a guest or service principal (AKS names those by object id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l service-account -d 'A Kubernetes service account as NAMESPACE:NAME' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -s n -l namespace -d 'Namespace to remove the binding from' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l role -d 'Only the bindings to this role (default: every role kubectl-entra bound the subject to)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l force -d 'Also delete this binding although kubectl-entra did not create it (repeatable)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l dry-run -d 'Show every object the real run would delete (client and server both ask the API server with dryRun)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l cluster-wide -d 'Remove the ClusterRoleBinding made with bind --cluster-wide'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l ignore-not-found -d 'Nothing to delete (or a --force binding that does not exist) is not an error, as kubectl delete --ignore-not-found'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand unbind" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -s n -l namespace -d 'Namespace to list, with the ClusterRoleBindings that apply there too (default: the context\'s namespace)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -s o -l output -d 'Output format: a table, wide (with the binding kind, the subject\'s object id and Entra name in their own columns), name (`rolebinding.rbac.authorization.k8s.io/NAME`, as kubectl get -o name), json or yaml' -r -f -a "table\t''
wide\t''
name\t''
json\t''
yaml\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -s A -l all-namespaces -d 'List every namespace, and ClusterRoleBindings'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l no-headers -d 'Omit table headers'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand bindings" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -s n -l namespace -d 'Namespace to ask about (default: the context\'s namespace)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l subresource -d 'Subresource, such as log or status' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l user -d 'Only what gives this Entra user the access: bindings naming them (as AKS names them: the UPN, a guest\'s object id), the bound Entra groups they are in (transitively, asked with Microsoft Graph checkMemberGroups, as AKS does for a user in more than 200 groups), and system:authenticated' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l members-limit -d 'Most members listed per group with --members' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -s o -l output -d 'Output format: a table, or json / yaml for scripts' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -s A -l all-namespaces -d 'Every namespace: RoleBindings anywhere, with the namespace they hold in'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l members -d 'Also list the members of each bound Entra group (transitively, through Microsoft Graph)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l no-headers -d 'Omit table headers'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand who-can" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -s n -l namespace -d 'Namespace to audit, with the ClusterRoleBindings (default: the context\'s namespace)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -s o -l output -d 'Output format: a table, or json / yaml for scripts' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l request-timeout -d 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl\'s --request-timeout)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l graph-endpoint -d 'Microsoft Graph endpoint (default: follows --environment)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l graph-tenant-id -d 'Entra tenant for the Graph token (default: the context\'s --tenant-id)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -s A -l all-namespaces -d 'Audit every namespace and the ClusterRoleBindings'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l no-headers -d 'Omit table headers'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -l no-graph -d 'Do not call Microsoft Graph; show object ids only'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand audit" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l kubeconfig -d 'Kubeconfig file to rewrite (default: every file of $KUBECONFIG, each user in the file that defines it, else ~/.kube/config)' -r -F
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l context -d 'Convert only the user of this context (default: every azure or kubelogin user)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -s l -l login -d 'Login mode for every converted user: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (default: each user keeps its own)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -s t -l tenant-id -d 'Tenant for the users that name none (never replaces a user\'s own)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l client-id -d 'Client id to write (default: read from the old entry, else the AKS client)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l server-id -d 'Server id to write (default: read from the old entry, else the AKS server)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -s e -l environment -d 'Azure cloud to write (default: read from the old entry)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l authority-host -d 'Authority host to write (default: read from the old entry; none for Entra\'s own)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l client-certificate -d 'Certificate file to write for spn users (PEM with its key, or PFX)' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l federated-token-file -d 'Federated token file to write for workloadidentity users' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l identity-resource-id -d 'Managed identity resource id to write for msi users' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -s s -l subscription -d 'Azure CLI subscription to write for azurecli users' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l azure-pipelines-service-connection-id -d 'Azure Pipelines service connection id to write for azurepipelines users' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -l dry-run -d 'Print the converted kubeconfig on stdout and change nothing'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand convert-kubeconfig" -s h -l help -d 'Print help'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand completion" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand sandbox" -s v -l v -d 'Log verbosity, as kubectl\'s -v (0 quiet .. 9 trace). Tokens are never logged' -r
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "get-token" -d 'Print an ExecCredential for kubectl (the exec credential plugin entry point)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "login" -d 'Sign in now and cache the tokens (shows who signed in, never the token)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "logout" -d 'Remove cached tokens (of one tenant/client/server, or --all)'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "whoami" -d 'Show who the cluster thinks you are, beside what your Entra token says'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "can-i" -d 'Check whether you may do something, and why'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "bind" -d 'Bind Entra groups, users or service accounts to a namespace with a role'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "unbind" -d 'Remove bindings that `kubectl entra bind` created'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "bindings" -d 'List who is bound to what, with Entra group names'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "who-can" -d 'List every subject that may do something, through which binding and role, with Entra names'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "audit" -d 'Find bindings that cannot work on an Entra-integrated cluster, with the commands that fix them'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "convert-kubeconfig" -d 'Rewrite kubeconfig users (azure auth-provider or kubelogin) to use kubectl-entra'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "completion" -d 'Print a shell completion script'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "sandbox" -d 'Run a local Entra tenant emulator and Kubernetes API on loopback'
complete -c kubectl-entra -n "__fish_kubectl_entra_using_subcommand help; and not __fish_seen_subcommand_from get-token login logout whoami can-i bind unbind bindings who-can audit convert-kubeconfig completion sandbox help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
