package org.pclean.ops.parallel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code pclean worker} process (or any other pclean command, {@link #pclean}) started from the test classpath,
 * as a site starts one (same JVM flags as scripts/pclean). Its output is read line by line and time-stamped on arrival, so a test can wait for "took
 * task" and measure when things happened.
 */
final class WorkerProcess implements AutoCloseable {
  /** One output line and when it arrived (System.nanoTime()). */
  record Line(long nanos, String text) {}

  private final Process process;
  private final long startedNanos;
  private final List<Line> lines = new ArrayList<>();
  private final String name;

  private WorkerProcess(String name, Process process, long startedNanos) {
    this.name = name;
    this.process = process;
    this.startedNanos = startedNanos;
    Thread reader = new Thread(this::read, "output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static WorkerProcess start(String name, String bootstrap, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("worker", "--bootstrap-servers", bootstrap, "--nworkers", "1",
        "--log-level", "debug"));  // the tests follow each task the worker takes
    args.addAll(List.of(extra));
    return pclean(name, args.toArray(String[]::new));
  }

  /** {@code pclean <args>} in a process of its own. */
  static WorkerProcess pclean(String name, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // surefire puts the real test classpath here; java.class.path may be its manifest-only booter jar (which
    // works too, as its manifest lists the same entries).
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m",
        "-cp", cp, "org.pclean.ops.cli.PcleanCli"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    long t0 = System.nanoTime();
    return new WorkerProcess(name, pb.start(), t0);
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String s; (s = in.readLine()) != null; ) {
        long now = System.nanoTime();
        synchronized (lines) {
          lines.add(new Line(now, s));
          lines.notifyAll();
        }
        if (!s.startsWith("FINE") && (s.contains("took task") || s.contains("group") || s.contains("SIG")
            || s.contains("stopped") || s.contains("handed back") || s.contains("partition(s)")
            || s.contains("pclean ") || s.contains("written") || s.contains("writing") || s.contains("ERROR"))) {
          System.out.printf("  [%s +%.2f s] %s%n", name, (now - startedNanos) / 1e9, s);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** The first line matching, waiting up to timeout. */
  Line await(Predicate<String> match, Duration timeout) throws InterruptedException {
    return await(match, 1, timeout);
  }

  /** The nth line matching, waiting up to timeout. */
  Line await(Predicate<String> match, int nth, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        int seen = 0;
        for (Line l : lines) {
          if (match.test(l.text()) && ++seen == nth) {
            return l;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + ": no line matching within " + timeout.toSeconds() + " s; " + output());
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  /** Everything the process printed so far (for failure messages). */
  String output() {
    synchronized (lines) {
      return "output of " + name + ":\n" + String.join("\n", lines.stream().map(Line::text).toList());
    }
  }

  /** Lines so far matching. */
  List<Line> matching(Predicate<String> match) {
    synchronized (lines) {
      return lines.stream().filter(l -> match.test(l.text())).toList();
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  long startedNanos() {
    return startedNanos;
  }

  /** The worker id this process's (single) worker publishes as SubcubeReady host: host-pid-0. */
  String workerIdSuffix() {
    return "-" + process.pid() + "-0";
  }

  /**
   * SIGTERM. Through the ProcessHandle: Process.destroy() sends the same signal but also closes our end of the
   * process's output pipe, and what the worker logs while it stops would be lost.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** The process id. */
  long pid() {
    return process.pid();
  }

  /** Sends a signal by name (STOP, CONT, ...) with kill(1); Java has no API for other signals than TERM and KILL. */
  void signal(String name) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (k.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** SIGKILL. */
  void kill() {
    process.toHandle().destroyForcibly();
  }

  /** Waits for the process to end; its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeout.toSeconds() + " s");
    }
    return process.exitValue();
  }

  /** Stops the worker as an operator would (SIGTERM: it leaves the group), forcibly if it does not exit. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
