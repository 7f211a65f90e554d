//! The hook-tool server: a thread answering `charm-sim-tool` over the
//! simulation's Unix socket, one JSON line in, one out, per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::protocol::{ToolRequest, ToolResponse};
use crate::world::World;

/// The largest request accepted (argv and stdin of one tool call).
const MAX_REQUEST: u64 = 16 << 20;

/// The running server; dropping it stops the thread.
pub(crate) struct Server {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Listen on `path`, answering from `world`.
    pub fn start(path: &Path, world: Arc<Mutex<World>>) -> std::io::Result<Self> {
        let listener = UnixListener::bind(path)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("charm-sim-tools".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(conn) = conn {
                        serve(conn, &world);
                    }
                }
            })?;
        Ok(Self {
            path: path.to_owned(),
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop. When the socket is gone (removed with the
        // model's directory by `interrupt::stop_everything`, the process
        // is ending) nothing can wake it: the thread is left, not awaited.
        if UnixStream::connect(&self.path).is_ok()
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One call: read the request line, answer, close.
fn serve(conn: UnixStream, world: &Mutex<World>) {
    let mut line = String::new();
    let read = {
        let mut reader = BufReader::new((&conn).take(MAX_REQUEST));
        reader.read_line(&mut line)
    };
    let response = match read {
        Ok(0) => return, // a wake-up connection
        Ok(_) => match serde_json::from_str::<ToolRequest>(&line) {
            Ok(request) => {
                let mut world = match world.lock() {
                    Ok(w) => w,
                    Err(poisoned) => poisoned.into_inner(),
                };
                if world
                    .active
                    .as_ref()
                    .is_some_and(|a| a.token == request.context)
                {
                    *world
                        .hook_tool_counts
                        .entry(request.tool.clone())
                        .or_default() += 1;
                }
                crate::tools::handle(&mut world, &request)
            }
            Err(e) => ToolResponse::fail(1, &format!("charm-sim: bad request: {e}")),
        },
        Err(e) => ToolResponse::fail(1, &format!("charm-sim: cannot read the request: {e}")),
    };
    let mut text = serde_json::to_string(&response).unwrap_or_default();
    text.push('\n');
    let mut conn = conn;
    let _ = conn.write_all(text.as_bytes());
}
