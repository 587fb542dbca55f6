//! Reading an answer with a size limit: a hostile or broken server cannot make us allocate more
//! than the limit (an 8 GB token answer once cost 6 GB and an abort).

/// Entra's answers (token, device code, errors, discovery) are a few KB; a token with many
/// group claims stays far below 64 KB. 1 MiB leaves room for anything real.
pub const ENTRA_BODY_LIMIT: usize = 1 << 20;

/// A Graph page: `getByIds` answers up to 1000 objects and `$select` is not always honoured, so a
/// page of full user objects (~2-4 KB each) can reach a few MB. 16 MiB leaves a wide margin
/// while still bounding memory.
pub const GRAPH_BODY_LIMIT: usize = 16 << 20;

/// The answer was larger than we read.
#[derive(Debug, thiserror::Error)]
#[error(
    "{host} sent an answer larger than {limit} bytes, more than any real answer; it was not read (check the URL, or whether a proxy answers in its place)"
)]
pub struct BodyTooLarge {
    pub host: String,
    pub limit: usize,
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error(transparent)]
    TooLarge(#[from] BodyTooLarge),
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
}

/// The whole body, at most `limit` bytes; streamed, so a larger one stops being read at the
/// limit (and one that announces a larger `Content-Length` is not read at all).
pub async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let host = response
        .url()
        .host_str()
        .unwrap_or("the server")
        .to_string();
    let too_large = || BodyTooLarge {
        host: host.clone(),
        limit,
    };
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(too_large().into());
    }
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(8 * 1024, |l| l as usize)
            .min(limit),
    );
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(too_large().into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A one-connection-at-a-time HTTP/1.1 server on loopback that answers every request with
    /// `head` and then `body_chunks` chunks of 64 KiB (chunked encoding, no length), or forever
    /// when `body_chunks` is None. Returns its base URL.
    pub(crate) async fn endless_server(head: &'static str, body_chunks: Option<usize>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let _ = sock.read(&mut buf).await;
                    if sock.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = vec![b'a'; 64 * 1024];
                    let frame =
                        [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                    let mut sent = 0;
                    while body_chunks.is_none_or(|n| sent < n) {
                        if sock.write_all(&frame).await.is_err() {
                            return;
                        }
                        sent += 1;
                    }
                    let _ = sock.write_all(b"0\r\n\r\n").await;
                });
            }
        });
        format!("http://{addr}/")
    }

    const CHUNKED_OK: &str =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";

    #[tokio::test]
    async fn an_endless_body_stops_at_the_limit() {
        let url = endless_server(CHUNKED_OK, None).await;
        let resp = reqwest::get(&url).await.unwrap();
        let err = read_capped(resp, ENTRA_BODY_LIMIT).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, BodyError::TooLarge(_)), "{text}");
        assert!(
            text.contains("127.0.0.1") && text.contains("1048576"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn an_announced_huge_length_is_not_read() {
        let url = endless_server(
            "HTTP/1.1 200 OK\r\ncontent-length: 8589934592\r\n\r\n",
            Some(0),
        )
        .await;
        let resp = reqwest::get(&url).await.unwrap();
        let err = read_capped(resp, 1024).await.unwrap_err();
        assert!(matches!(err, BodyError::TooLarge(_)), "{err}");
    }

    #[tokio::test]
    async fn a_body_under_the_limit_is_read_whole() {
        let url = endless_server(CHUNKED_OK, Some(3)).await;
        let resp = reqwest::get(&url).await.unwrap();
        assert_eq!(
            read_capped(resp, ENTRA_BODY_LIMIT).await.unwrap().len(),
            3 * 64 * 1024
        );
    }
}
