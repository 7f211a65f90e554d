//! The hook tools of a charm-sim simulation, in one program: it acts as the
//! tool its file name names (`relation-get`, `status-set`, ... are symlinks
//! to it in the simulation's tools directory), sends its arguments, its
//! standard input when the tool reads it, and the hook's context to the
//! simulator over the socket named by `CHARM_SIM_SOCKET`, then prints the
//! answer and exits with its code, as the real tool would.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;

use charm_sim::protocol::{CONTEXT_ENV, SOCKET_ENV, ToolRequest, ToolResponse, reads_stdin};

fn main() -> ExitCode {
    let mut argv = std::env::args_os();
    let argv0 = PathBuf::from(argv.next().unwrap_or_default());
    let tool = argv0
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let args: Vec<String> = argv.map(|a| a.to_string_lossy().into_owned()).collect();
    match call(&tool, args) {
        Ok(response) => {
            print!("{}", response.stdout);
            eprint!("{}", response.stderr);
            let _ = std::io::stdout().flush();
            ExitCode::from(u8::try_from(response.code).unwrap_or(1))
        }
        Err(message) => {
            eprintln!("ERROR {tool}: {message}");
            ExitCode::from(1)
        }
    }
}

fn call(tool: &str, args: Vec<String>) -> Result<ToolResponse, String> {
    let socket = std::env::var_os(SOCKET_ENV)
        .ok_or_else(|| format!("{SOCKET_ENV} is not set: not running in a charm-sim hook"))?;
    let context = std::env::var(CONTEXT_ENV)
        .map_err(|_| format!("{CONTEXT_ENV} is not set: not running in a charm-sim hook"))?;
    let stdin = if reads_stdin(tool, &args) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        None
    };
    let request = ToolRequest {
        context,
        tool: tool.to_owned(),
        args,
        stdin,
        cwd: std::env::current_dir()
            .ok()
            .map(|d| d.to_string_lossy().into_owned()),
    };
    let mut conn = UnixStream::connect(&socket).map_err(|e| {
        format!(
            "cannot reach the simulator at {}: {e}",
            socket.to_string_lossy()
        )
    })?;
    let mut line = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    line.push('\n');
    conn.write_all(line.as_bytes())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut answer = String::new();
    BufReader::new(conn)
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    serde_json::from_str(&answer).map_err(|e| format!("bad answer from the simulator: {e}"))
}
