package org.pclean.ops.parallel;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A site's services as separate {@code pclean} JVM processes, as an operator runs them: {@code pclean broker} on
 * a fixed port with a kept data directory (so it can be restarted at the same address), {@code pclean gather},
 * {@code pclean sink} and {@code pclean worker}. Each can be killed, stopped or restarted on its own; the
 * processes are named B1, G1, G2, S1, ... in the test output.
 */
final class SiteProcesses implements AutoCloseable {
  static final Duration UP = Duration.ofSeconds(60);

  private final Path dir;
  private final int port;
  private final List<WorkerProcess> all = new ArrayList<>();
  private int started;
  WorkerProcess broker;
  WorkerProcess gather;
  WorkerProcess sink;
  WorkerProcess workers;

  SiteProcesses(Path dir) throws IOException {
    this.dir = dir;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  String bootstrap() {
    return "localhost:" + port;
  }

  Path dir() {
    return dir;
  }

  /** Starts the broker on the site's port and data directory; returns once it serves pclean's topics. */
  WorkerProcess startBroker() throws Exception {
    broker = start("B", "broker", "--port", Integer.toString(port), "--local-directory",
        dir.resolve("kafka").toString());
    broker.await(s -> s.startsWith("pclean broker at"), UP);
    return broker;
  }

  /** Starts the coordinator on a state directory (under the site's) with extra options. */
  WorkerProcess startGather(String stateDir, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("gather", "--bootstrap-servers", bootstrap(), "--state-dir",
        dir.resolve(stateDir).toString()));
    args.addAll(List.of(extra));
    gather = start("G", args.toArray(String[]::new));
    gather.await(s -> s.startsWith("pclean gather running"), UP);
    return gather;
  }

  WorkerProcess startSink() throws Exception {
    sink = start("S", "sink", "--bootstrap-servers", bootstrap());
    sink.await(s -> s.startsWith("pclean sink running"), UP);
    return sink;
  }

  /** One worker process with n worker threads (each its own member of pclean-workers). */
  WorkerProcess startWorkers(int n) throws Exception {
    workers = start("W", "worker", "--bootstrap-servers", bootstrap(), "--nworkers", Integer.toString(n),
        "--log-level", "debug");
    workers.await(s -> s.contains("worker(s) in group"), UP);
    return workers;
  }

  private WorkerProcess start(String role, String... args) throws IOException {
    WorkerProcess p = WorkerProcess.pclean(role + ++started, args);
    all.add(p);
    return p;
  }

  /** Stops every process still running, the broker last (SIGTERM, then -9). */
  @Override
  public void close() throws InterruptedException {
    for (WorkerProcess p : all) {
      if (p != broker) {
        p.close();
      }
    }
    if (broker != null) {
      broker.close();
    }
  }
}
