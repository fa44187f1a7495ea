// After the last test Jest waits for the event loop to empty. A handle a test left open (a
// socket, a timer, a child process) would hold the run forever, and CI would time out instead of
// reporting. This gives the loop 10 s after the run, then names what is still open and ends the
// run as failed: a leak is a defect (a user's process would not exit either).
module.exports = async function exitGuard() {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().join(', ');
    console.error(
      `jest: handles still open 10 s after the run (${open}): a test leaked them; --detectOpenHandles finds it`,
    );
    process.exit(1);
  }, 10_000).unref();
};
