package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad values of the services' fault-tolerance options (broker --port, gather --transaction-timeout): exit 2 with
 * one line naming the option, before anything is written or any cluster is contacted (the address given is
 * unreachable, which would be a different line, after 10 s).
 */
class ServiceOptionsTest {
  @TempDir Path tmp;

  void refused(String expect, String... args) {
    StringWriter err = new StringWriter();
    int rc = BadInputTest.run(err, args);
    String out = err.toString().strip();
    assertEquals(2, rc, String.join(" ", args) + ": " + out);
    assertEquals(1, out.lines().count(), "one line: " + out);
    assertTrue(out.contains(expect), out);
  }

  @Test
  void badPortsAndTransactionTimeoutsAreRefusedAtOnce() {
    Path data = tmp.resolve("kafka");
    refused("--port must be 0..65535, got -1", "broker", "--port", "-1", "--local-directory", data.toString());
    refused("--port must be 0..65535, got 70000", "broker", "--port", "70000", "--local-directory", data.toString());
    assertFalse(Files.exists(data), "no broker data written");
    Path state = tmp.resolve("state");
    for (String bad : new String[] {"0s", "500ms", "16m"}) {
      refused("--transaction-timeout must be 1s..15m", "gather", "--bootstrap-servers", "localhost:1",
          "--transaction-timeout", bad, "--state-dir", state.toString());
    }
    refused("--transaction-timeout: bad duration 'soon'", "gather", "--bootstrap-servers", "localhost:1",
        "--transaction-timeout", "soon", "--state-dir", state.toString());
    refused("--job-retention and --submit-timeout must be at least 1s, got 0s and 1h", "gather",
        "--bootstrap-servers", "localhost:1", "--job-retention", "0s", "--state-dir", state.toString());
    refused("--submit-timeout: bad duration 'later'", "gather", "--bootstrap-servers", "localhost:1",
        "--submit-timeout", "later", "--state-dir", state.toString());
    assertFalse(Files.exists(state), "no state written");
  }

  /** The worker's own limits are checked before it contacts the cluster (localhost:1 would not answer). */
  @Test
  void badWorkerLimitsAreRefusedBeforeTheClusterIsContacted() {
    refused("--max-task-time must lie in 1s..596h (Kafka's max.poll.interval.ms is an int of milliseconds), got 500ms", "worker", "--bootstrap-servers", "localhost:1",
        "--max-task-time", "500ms");
    refused("--max-task-time: bad duration 'forever'", "worker", "--bootstrap-servers", "localhost:1",
        "--max-task-time", "forever");
    refused("--max-task-time must lie in 1s..596h", "worker", "--bootstrap-servers", "localhost:1",
        "--max-task-time", "1000h");
    refused("--threads must be >= 0 (0: all cores), got -2", "worker", "--bootstrap-servers", "localhost:1",
        "--threads", "-2");
  }
}
