// After the last test Jest waits for the event loop to empty. A handle a test left open (a
// socket, a timer, a child process) would hold the run forever, and CI would time out instead of
// reporting (stop 37's run did). This gives the loop 10 s after the run, then names what is still
// open and ends the process with the run's own result (Jest sets the failure code on exit).
// What holds the loop is usually another process: a child still running, or a process that
// inherited the stdio of a child that exited (a grandchild keeps its stdout open). Both are named
// here (Linux: ps and /proc), so the log points at the test that left them.
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');

/** This process's children still running, one `pid command` line each ('' if none, or no `ps`). */
function childProcesses() {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '' && !/\bps -o\b/.test(line))
      .join('\n');
  } catch {
    return '';
  }
}

/** `[parent pid, start time in clock ticks]` of a process, from /proc/<pid>/stat. */
function statOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return [Number(fields[1]), Number(fields[19])];
}

/**
 * Processes started after Jest and still there, whoever their parent is now (init, or a
 * subreaper): what a test's child left behind when it exited (a grandchild keeps the child's
 * stdout and stderr open), `pid [name, state] command`.
 */
function orphans() {
  try {
    const [, started] = statOf(process.pid);
    const lines = [];
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const [parent, since] = statOf(pid);
        if (Number(pid) === process.pid || parent === process.pid || since < started) continue;
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        // An exited process not reaped yet has no command line, only its name and its state Z.
        const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[0];
        lines.push(`${pid} [${name}, state ${state}] ${command.slice(0, 300)}`);
      } catch {
        // Gone meanwhile.
      }
    }
    return lines.slice(0, 20).join('\n');
  } catch {
    return '';
  }
}

module.exports = async function exitGuard() {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().join(', ');
    const children = childProcesses();
    const left = orphans();
    console.error(
      `jest: handles still open 10 s after the run (${open}): a test leaked them (--detectOpenHandles finds it); exiting with the run's result${children ? `\nchild processes still running:\n${children}` : ''}${left ? `\nother processes started during the run, still there:\n${left}` : ''}`,
    );
    process.exit();
  }, 10_000).unref();
};
