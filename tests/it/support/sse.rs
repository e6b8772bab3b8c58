//! Event-stream reading that tells "the server ended the stream" apart
//! from "nothing arrived yet", for the lifecycle and console tests.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

/// What reading a stream gave.
#[derive(Debug)]
pub enum Frame {
    Data(Value),
    /// The server closed the response.
    End,
    /// Nothing within the wait.
    Quiet,
}

pub struct Sse {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<actix_web::web::Bytes>>,
    buf: String,
}

impl Sse {
    pub fn new(r: reqwest::Response) -> Self {
        assert!(r.status().is_success(), "stream status {}", r.status());
        Self {
            body: r.bytes_stream().boxed(),
            buf: String::new(),
        }
    }

    pub async fn open(client: &reqwest::Client, url: &str) -> Self {
        Self::new(client.get(url).send().await.unwrap())
    }

    /// The next data frame, the end of the stream, or quiet after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Frame {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Frame::Data(serde_json::from_str(data).unwrap());
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(Some(Err(_))) | Ok(None) => return Frame::End,
                Err(_) => return Frame::Quiet,
            }
        }
    }

    /// Reads until the stream ends; returns the data frames seen, or panics
    /// when it is still open after `within`.
    pub async fn ends_within(&mut self, within: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Frame::Data(v) => seen.push(v),
                Frame::End => return seen,
                Frame::Quiet => panic!("the stream is still open after {within:?}: {seen:?}"),
            }
        }
    }

    /// Asserts the stream stays open (no end) for `wait`.
    pub async fn stays_open(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Frame::Data(v) => assert_ne!(v["type"], "signed_out", "{v}"),
                Frame::End => panic!("the stream ended"),
                Frame::Quiet => return,
            }
        }
    }
}
