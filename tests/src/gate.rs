//! A TCP proxy in front of the test server that can cut a browser off it,
//! like a device whose network is gone: when closed, it ends every open
//! connection and refuses every new one, the page and the app's files as
//! well as the websocket and the API. A page opened then comes from the
//! app's service worker (`frontend/sw.js`), as on a real device.
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

pub struct Gate {
    pub addr: SocketAddr,
    open: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Gate {
    /// A gate to `upstream`, open.
    pub async fn start(upstream: SocketAddr) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind gate");
        let addr = listener.local_addr().expect("gate addr");
        let open = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = {
            let open = open.clone();
            let conns = conns.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let open = open.clone();
                    let task = tokio::spawn(async move {
                        let _ = pass(client, upstream, open).await;
                    });
                    let mut c = conns.lock().await;
                    c.retain(|t| !t.is_finished());
                    c.push(task);
                }
            })
        };
        Gate {
            addr,
            open,
            conns,
            accept,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Cuts the network: open connections end, the server is out of reach.
    pub async fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
        for t in self.conns.lock().await.drain(..) {
            t.abort();
        }
    }

    pub fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn pass(
    mut client: TcpStream,
    upstream: SocketAddr,
    open: Arc<AtomicBool>,
) -> std::io::Result<()> {
    if !open.load(Ordering::SeqCst) {
        // As if the network were down: no answer, the connection just ends.
        return Ok(());
    }
    let mut server = TcpStream::connect(upstream).await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}
