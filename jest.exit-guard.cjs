// After the last test Jest waits for the event loop to empty. A handle a test left open (a
// socket, a timer, a child process) would hold the run forever, and CI would time out instead of
// reporting (stop 37's run did). This gives the loop 10 s after the run, then names what is still
// open and ends the process with the run's own result (Jest sets the failure code on exit).
module.exports = async function exitGuard() {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().join(', ');
    console.error(
      `jest: handles still open 10 s after the run (${open}): a test leaked them (--detectOpenHandles finds it); exiting with the run's result`,
    );
    process.exit();
  }, 10_000).unref();
};
