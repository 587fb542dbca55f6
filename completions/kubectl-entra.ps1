
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-entra' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-entra'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-entra' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('get-token', 'get-token', [CompletionResultType]::ParameterValue, 'Print an ExecCredential for kubectl (the exec credential plugin entry point)')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in now and cache the tokens (shows who signed in, never the token)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove cached tokens (of one tenant/client/server, or --all)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the cluster thinks you are, beside what your Entra token says')
            [CompletionResult]::new('can-i', 'can-i', [CompletionResultType]::ParameterValue, 'Check whether you may do something, and why')
            [CompletionResult]::new('bind', 'bind', [CompletionResultType]::ParameterValue, 'Bind Entra groups, users or service accounts to a namespace with a role')
            [CompletionResult]::new('unbind', 'unbind', [CompletionResultType]::ParameterValue, 'Remove bindings that `kubectl entra bind` created')
            [CompletionResult]::new('bindings', 'bindings', [CompletionResultType]::ParameterValue, 'List who is bound to what, with Entra group names')
            [CompletionResult]::new('who-can', 'who-can', [CompletionResultType]::ParameterValue, 'List every subject that may do something, through which binding and role, with Entra names')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Find bindings that cannot work on an Entra-integrated cluster, with the commands that fix them')
            [CompletionResult]::new('convert-kubeconfig', 'convert-kubeconfig', [CompletionResultType]::ParameterValue, 'Rewrite kubeconfig users (azure auth-provider or kubelogin) to use kubectl-entra')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local Entra tenant emulator and Kubernetes API on loopback')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-entra;get-token' {
            [CompletionResult]::new('--tenant-id', '--tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client application: the public client a user signs in with, or the service principal or identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)')
            [CompletionResult]::new('--server-id', '--server-id', [CompletionResultType]::ParameterName, 'Server application (the token audience); AKS uses the same id in every cloud')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)')
            [CompletionResult]::new('--login', '--login', [CompletionResultType]::ParameterName, 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Authority host URL, overriding --environment (https; http only for loopback). An --environment flag wins over this variable')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'Client secret of the service principal (spn)')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)')
            [CompletionResult]::new('--client-certificate-password', '--client-certificate-password', [CompletionResultType]::ParameterName, 'Password of a PFX certificate (spn)')
            [CompletionResult]::new('--federated-token-file', '--federated-token-file', [CompletionResultType]::ParameterName, 'Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)')
            [CompletionResult]::new('--identity-resource-id', '--identity-resource-id', [CompletionResultType]::ParameterName, 'ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service''s $IDENTITY_ENDPOINT)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Azure CLI subscription id or name (azurecli)')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure CLI subscription id or name (azurecli)')
            [CompletionResult]::new('--azure-pipelines-service-connection-id', '--azure-pipelines-service-connection-id', [CompletionResultType]::ParameterName, 'Id of the Azure Resource Manager service connection whose federated credential signs in (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)')
            [CompletionResult]::new('--redirect-url', '--redirect-url', [CompletionResultType]::ParameterName, 'Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/ (default: http://localhost:<free port>/) (interactive)')
            [CompletionResult]::new('--login-hint', '--login-hint', [CompletionResultType]::ParameterName, 'Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'What the sign-in page asks: select_account, login, consent or none (interactive)')
            [CompletionResult]::new('--browser-timeout', '--browser-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds each network call instead)')
            [CompletionResult]::new('--token-cache-dir', '--token-cache-dir', [CompletionResultType]::ParameterName, 'Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)')
            [CompletionResult]::new('--token-cache', '--token-cache', [CompletionResultType]::ParameterName, 'Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)')
            [CompletionResult]::new('--authority-ca-file', '--authority-ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file for Entra, Graph and managed identity (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--use-azurerm-env-vars', '--use-azurerm-env-vars', [CompletionResultType]::ParameterName, 'Read the Terraform AzureRM provider''s ARM_* variables instead of AZURE_*/AAD_*')
            [CompletionResult]::new('--disable-environment-override', '--disable-environment-override', [CompletionResultType]::ParameterName, 'Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-entra;login' {
            [CompletionResult]::new('--tenant-id', '--tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client application: the public client a user signs in with, or the service principal or identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)')
            [CompletionResult]::new('--server-id', '--server-id', [CompletionResultType]::ParameterName, 'Server application (the token audience); AKS uses the same id in every cloud')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)')
            [CompletionResult]::new('--login', '--login', [CompletionResultType]::ParameterName, 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Authority host URL, overriding --environment (https; http only for loopback). An --environment flag wins over this variable')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'Client secret of the service principal (spn)')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)')
            [CompletionResult]::new('--client-certificate-password', '--client-certificate-password', [CompletionResultType]::ParameterName, 'Password of a PFX certificate (spn)')
            [CompletionResult]::new('--federated-token-file', '--federated-token-file', [CompletionResultType]::ParameterName, 'Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)')
            [CompletionResult]::new('--identity-resource-id', '--identity-resource-id', [CompletionResultType]::ParameterName, 'ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service''s $IDENTITY_ENDPOINT)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Azure CLI subscription id or name (azurecli)')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure CLI subscription id or name (azurecli)')
            [CompletionResult]::new('--azure-pipelines-service-connection-id', '--azure-pipelines-service-connection-id', [CompletionResultType]::ParameterName, 'Id of the Azure Resource Manager service connection whose federated credential signs in (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)')
            [CompletionResult]::new('--redirect-url', '--redirect-url', [CompletionResultType]::ParameterName, 'Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/ (default: http://localhost:<free port>/) (interactive)')
            [CompletionResult]::new('--login-hint', '--login-hint', [CompletionResultType]::ParameterName, 'Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'What the sign-in page asks: select_account, login, consent or none (interactive)')
            [CompletionResult]::new('--browser-timeout', '--browser-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds each network call instead)')
            [CompletionResult]::new('--token-cache-dir', '--token-cache-dir', [CompletionResultType]::ParameterName, 'Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)')
            [CompletionResult]::new('--token-cache', '--token-cache', [CompletionResultType]::ParameterName, 'Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)')
            [CompletionResult]::new('--authority-ca-file', '--authority-ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file for Entra, Graph and managed identity (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--use-azurerm-env-vars', '--use-azurerm-env-vars', [CompletionResultType]::ParameterName, 'Read the Terraform AzureRM provider''s ARM_* variables instead of AZURE_*/AAD_*')
            [CompletionResult]::new('--disable-environment-override', '--disable-environment-override', [CompletionResultType]::ParameterName, 'Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-entra;logout' {
            [CompletionResult]::new('--tenant-id', '--tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client application: the public client a user signs in with, or the service principal or identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)')
            [CompletionResult]::new('--server-id', '--server-id', [CompletionResultType]::ParameterName, 'Server application (the token audience); AKS uses the same id in every cloud')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)')
            [CompletionResult]::new('--login', '--login', [CompletionResultType]::ParameterName, 'Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Authority host URL, overriding --environment (https; http only for loopback). An --environment flag wins over this variable')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'Client secret of the service principal (spn)')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)')
            [CompletionResult]::new('--client-certificate-password', '--client-certificate-password', [CompletionResultType]::ParameterName, 'Password of a PFX certificate (spn)')
            [CompletionResult]::new('--federated-token-file', '--federated-token-file', [CompletionResultType]::ParameterName, 'Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)')
            [CompletionResult]::new('--identity-resource-id', '--identity-resource-id', [CompletionResultType]::ParameterName, 'ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service''s $IDENTITY_ENDPOINT)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Azure CLI subscription id or name (azurecli)')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure CLI subscription id or name (azurecli)')
            [CompletionResult]::new('--azure-pipelines-service-connection-id', '--azure-pipelines-service-connection-id', [CompletionResultType]::ParameterName, 'Id of the Azure Resource Manager service connection whose federated credential signs in (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)')
            [CompletionResult]::new('--redirect-url', '--redirect-url', [CompletionResultType]::ParameterName, 'Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/ (default: http://localhost:<free port>/) (interactive)')
            [CompletionResult]::new('--login-hint', '--login-hint', [CompletionResultType]::ParameterName, 'Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'What the sign-in page asks: select_account, login, consent or none (interactive)')
            [CompletionResult]::new('--browser-timeout', '--browser-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds each network call instead)')
            [CompletionResult]::new('--token-cache-dir', '--token-cache-dir', [CompletionResultType]::ParameterName, 'Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)')
            [CompletionResult]::new('--token-cache', '--token-cache', [CompletionResultType]::ParameterName, 'Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)')
            [CompletionResult]::new('--authority-ca-file', '--authority-ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file for Entra, Graph and managed identity (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--use-azurerm-env-vars', '--use-azurerm-env-vars', [CompletionResultType]::ParameterName, 'Read the Terraform AzureRM provider''s ARM_* variables instead of AZURE_*/AAD_*')
            [CompletionResult]::new('--disable-environment-override', '--disable-environment-override', [CompletionResultType]::ParameterName, 'Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every cached token, of every tenant, client and server')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-entra;whoami' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table, or one json / yaml document with both views for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table, or one json / yaml document with both views for scripts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;can-i' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to check in (default: the context''s namespace; never sent for cluster-scoped resources, so a RoleBinding cannot give a false yes)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to check in (default: the context''s namespace; never sent for cluster-scoped resources, so a RoleBinding cannot give a false yes)')
            [CompletionResult]::new('--subresource', '--subresource', [CompletionResultType]::ParameterName, 'Subresource, such as log or status')
            [CompletionResult]::new('--verbs', '--verbs', [CompletionResultType]::ParameterName, 'Verbs for --matrix (default: get list watch create update patch delete)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Impersonate this user (admins checking someone else)')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Impersonate this group, e.g. an Entra group''s object id (repeatable; needs --as)')
            [CompletionResult]::new('--as-entra-group', '--as-entra-group', [CompletionResultType]::ParameterName, 'Impersonate an Entra group given by display name (resolved to its object id through Microsoft Graph; repeatable; needs --as)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, or json / yaml for scripts (the answer with its reason, the --list rules, or the --matrix)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, or json / yaml for scripts (the answer with its reason, the --list rules, or the --matrix)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check across all namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check across all namespaces')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing: exit 0 for yes, 1 for no (2 for an error, as always)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing: exit 0 for yes, 1 for no (2 for an error, as always)')
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Explain which binding allows it (with Entra group names), or which bindings apply and what is missing; printed on stdout after the yes/no line')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List everything you may do in the namespace')
            [CompletionResult]::new('--matrix', '--matrix', [CompletionResultType]::ParameterName, 'Print an access matrix (resources x verbs; namespaces x verbs for one resource with -A) from one rules review per namespace: coloured ✔/✖ on a terminal, yes/no when piped')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Omit table headers (--list, --matrix)')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;bind' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Entra group by display name (bind looks it up in Microsoft Graph; unbind also matches the name bind recorded)')
            [CompletionResult]::new('--group-id', '--group-id', [CompletionResultType]::ParameterName, 'Entra group by object id; no Graph lookup')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'A member''s UPN, or the object id of a guest or service principal (AKS names those by object id)')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'A Kubernetes service account as NAMESPACE:NAME')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to grant access in')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to grant access in')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'full-access (the AKS article''s Role), admin, edit, view, or the name of an existing Role/ClusterRole')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'none, client (print the manifests, touch nothing) or server (validate on the API server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print the manifests (yaml by default with --dry-run=client) instead of result lines')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the manifests (yaml by default with --dry-run=client) instead of result lines')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--create-namespace', '--create-namespace', [CompletionResultType]::ParameterName, 'Create the namespace when it does not exist')
            [CompletionResult]::new('--cluster-wide', '--cluster-wide', [CompletionResultType]::ParameterName, 'Bind with a ClusterRoleBinding, granting the role in every namespace (needs --yes-cluster-wide)')
            [CompletionResult]::new('--yes-cluster-wide', '--yes-cluster-wide', [CompletionResultType]::ParameterName, 'Confirm that a cluster-wide grant is intended')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;unbind' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Entra group by display name (bind looks it up in Microsoft Graph; unbind also matches the name bind recorded)')
            [CompletionResult]::new('--group-id', '--group-id', [CompletionResultType]::ParameterName, 'Entra group by object id; no Graph lookup')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'A member''s UPN, or the object id of a guest or service principal (AKS names those by object id)')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'A Kubernetes service account as NAMESPACE:NAME')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to remove the binding from')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to remove the binding from')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Only the bindings to this role (default: every role kubectl-entra bound the subject to)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Also delete this binding although kubectl-entra did not create it (repeatable)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show every object the real run would delete (client and server both ask the API server with dryRun)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--cluster-wide', '--cluster-wide', [CompletionResultType]::ParameterName, 'Remove the ClusterRoleBinding made with bind --cluster-wide')
            [CompletionResult]::new('--ignore-not-found', '--ignore-not-found', [CompletionResultType]::ParameterName, 'Nothing to delete (or a --force binding that does not exist) is not an error, as kubectl delete --ignore-not-found')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;bindings' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to list, with the ClusterRoleBindings that apply there too (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to list, with the ClusterRoleBindings that apply there too (default: the context''s namespace)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table, wide (with the binding kind, the subject''s object id and Entra name in their own columns), name (`rolebinding.rbac.authorization.k8s.io/NAME`, as kubectl get -o name), json or yaml')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table, wide (with the binding kind, the subject''s object id and Entra name in their own columns), name (`rolebinding.rbac.authorization.k8s.io/NAME`, as kubectl get -o name), json or yaml')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List every namespace, and ClusterRoleBindings')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List every namespace, and ClusterRoleBindings')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Omit table headers')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;who-can' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to ask about (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to ask about (default: the context''s namespace)')
            [CompletionResult]::new('--subresource', '--subresource', [CompletionResultType]::ParameterName, 'Subresource, such as log or status')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only what gives this Entra user the access: bindings naming them (as AKS names them: the UPN, a guest''s object id), the bound Entra groups they are in (transitively, asked with Microsoft Graph checkMemberGroups, as AKS does for a user in more than 200 groups), and system:authenticated')
            [CompletionResult]::new('--members-limit', '--members-limit', [CompletionResultType]::ParameterName, 'Most members listed per group with --members')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table, or json / yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table, or json / yaml for scripts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace: RoleBindings anywhere, with the namespace they hold in')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace: RoleBindings anywhere, with the namespace they hold in')
            [CompletionResult]::new('--members', '--members', [CompletionResultType]::ParameterName, 'Also list the members of each bound Entra group (transitively, through Microsoft Graph)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Omit table headers')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;audit' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to audit, with the ClusterRoleBindings (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to audit, with the ClusterRoleBindings (default: the context''s namespace)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table, or json / yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table, or json / yaml for scripts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default) waits as long as it takes (kubectl''s --request-timeout)')
            [CompletionResult]::new('--graph-endpoint', '--graph-endpoint', [CompletionResultType]::ParameterName, 'Microsoft Graph endpoint (default: follows --environment)')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Entra tenant for the Graph token (default: the context''s --tenant-id)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Audit every namespace and the ClusterRoleBindings')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Audit every namespace and the ClusterRoleBindings')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Omit table headers')
            [CompletionResult]::new('--no-graph', '--no-graph', [CompletionResultType]::ParameterName, 'Do not call Microsoft Graph; show object ids only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;convert-kubeconfig' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to rewrite (default: every file of $KUBECONFIG, each user in the file that defines it, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Convert only the user of this context (default: every azure or kubelogin user)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Login mode for every converted user: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (default: each user keeps its own)')
            [CompletionResult]::new('--login', '--login', [CompletionResultType]::ParameterName, 'Login mode for every converted user: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (default: each user keeps its own)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Tenant for the users that name none (never replaces a user''s own)')
            [CompletionResult]::new('--tenant-id', '--tenant-id', [CompletionResultType]::ParameterName, 'Tenant for the users that name none (never replaces a user''s own)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client id to write (default: read from the old entry, else the AKS client)')
            [CompletionResult]::new('--server-id', '--server-id', [CompletionResultType]::ParameterName, 'Server id to write (default: read from the old entry, else the AKS server)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Azure cloud to write (default: read from the old entry)')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Azure cloud to write (default: read from the old entry)')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Authority host to write (default: read from the old entry; none for Entra''s own)')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Certificate file to write for spn users (PEM with its key, or PFX)')
            [CompletionResult]::new('--federated-token-file', '--federated-token-file', [CompletionResultType]::ParameterName, 'Federated token file to write for workloadidentity users')
            [CompletionResult]::new('--identity-resource-id', '--identity-resource-id', [CompletionResultType]::ParameterName, 'Managed identity resource id to write for msi users')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Azure CLI subscription to write for azurecli users')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure CLI subscription to write for azurecli users')
            [CompletionResult]::new('--azure-pipelines-service-connection-id', '--azure-pipelines-service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection id to write for azurepipelines users')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the converted kubeconfig on stdout and change nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-entra;completion' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-entra;sandbox' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            [CompletionResult]::new('--v', '--v', [CompletionResultType]::ParameterName, 'Log verbosity, as kubectl''s -v (0 quiet .. 9 trace). Tokens are never logged')
            break
        }
        'kubectl-entra;help' {
            [CompletionResult]::new('get-token', 'get-token', [CompletionResultType]::ParameterValue, 'Print an ExecCredential for kubectl (the exec credential plugin entry point)')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in now and cache the tokens (shows who signed in, never the token)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove cached tokens (of one tenant/client/server, or --all)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the cluster thinks you are, beside what your Entra token says')
            [CompletionResult]::new('can-i', 'can-i', [CompletionResultType]::ParameterValue, 'Check whether you may do something, and why')
            [CompletionResult]::new('bind', 'bind', [CompletionResultType]::ParameterValue, 'Bind Entra groups, users or service accounts to a namespace with a role')
            [CompletionResult]::new('unbind', 'unbind', [CompletionResultType]::ParameterValue, 'Remove bindings that `kubectl entra bind` created')
            [CompletionResult]::new('bindings', 'bindings', [CompletionResultType]::ParameterValue, 'List who is bound to what, with Entra group names')
            [CompletionResult]::new('who-can', 'who-can', [CompletionResultType]::ParameterValue, 'List every subject that may do something, through which binding and role, with Entra names')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Find bindings that cannot work on an Entra-integrated cluster, with the commands that fix them')
            [CompletionResult]::new('convert-kubeconfig', 'convert-kubeconfig', [CompletionResultType]::ParameterValue, 'Rewrite kubeconfig users (azure auth-provider or kubelogin) to use kubectl-entra')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local Entra tenant emulator and Kubernetes API on loopback')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-entra;help;get-token' {
            break
        }
        'kubectl-entra;help;login' {
            break
        }
        'kubectl-entra;help;logout' {
            break
        }
        'kubectl-entra;help;whoami' {
            break
        }
        'kubectl-entra;help;can-i' {
            break
        }
        'kubectl-entra;help;bind' {
            break
        }
        'kubectl-entra;help;unbind' {
            break
        }
        'kubectl-entra;help;bindings' {
            break
        }
        'kubectl-entra;help;who-can' {
            break
        }
        'kubectl-entra;help;audit' {
            break
        }
        'kubectl-entra;help;convert-kubeconfig' {
            break
        }
        'kubectl-entra;help;completion' {
            break
        }
        'kubectl-entra;help;sandbox' {
            break
        }
        'kubectl-entra;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
