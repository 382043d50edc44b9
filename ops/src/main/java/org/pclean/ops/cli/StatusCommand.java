package org.pclean.ops.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.pclean.bus.Topics;
import org.pclean.ops.config.KafkaClientConfig;
import org.pclean.ops.parallel.ServiceGroups;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pclean status}: the site's service groups on a cluster and their members; with {@code --wait-workers N}
 * it waits until N workers own task partitions and the coordinator and sinks are up (what a submitted SLURM job
 * does before it runs its YAML).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "List pclean's service groups (workers, coordinator, sinks) and their members on a cluster;"
        + " --wait-workers N waits for N workers and the other services, exit 1 after --timeout.")
final class StatusCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofSeconds(1);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Option(names = {"--scheduler-address", "--bootstrap-servers"}, required = true) String bootstrap;
  @Option(names = "--kafka-config", description = "Kafka client properties (security.protocol, SASL, TLS stores)")
  Path kafkaConfig;
  @Option(names = "--wait-workers", defaultValue = "0",
      description = "wait until this many workers own task partitions and every other service has a member")
  int waitWorkers;
  @Option(names = "--timeout", defaultValue = "10m", description = "how long --wait-workers waits (e.g. 10m, 600s)")
  String timeout;

  @Override
  public Integer call() throws Exception {
    Duration limit = ServiceCommands.seconds(timeout, "--timeout");
    if (waitWorkers < 0) {
      throw new IllegalArgumentException("--wait-workers must be >= 0, got " + waitWorkers);
    }
    Properties client = KafkaClientConfig.forCluster(bootstrap, kafkaConfig);
    org.pclean.ops.config.ClusterAccess.probe(client);  // unreachable, refused, denied: one line naming the cluster
    long t0 = System.nanoTime();
    long deadline = t0 + limit.toNanos();
    List<String> ids = List.copyOf(ServiceGroups.ALL.keySet());
    try (Admin admin = Admin.create(client)) {
      List<ServiceGroups.Group> groups = ServiceGroups.describe(admin, bootstrap, ids);
      while (waitWorkers > 0 && !ready(groups)) {
        if (System.nanoTime() > deadline) {
          print(groups);
          spec.commandLine().getErr().println("pclean: " + bootstrap + " did not have " + waitWorkers
              + " worker(s) and every service within " + timeout);
          return PcleanCli.EXIT_FAILURE;
        }
        Thread.sleep(POLL.toMillis());
        groups = ServiceGroups.describe(admin, bootstrap, ids);
      }
      print(groups);
      if (waitWorkers > 0) {
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "ready after %.1f s%n",
            (System.nanoTime() - t0) / 1e9);
      }
    }
    spec.commandLine().getOut().flush();
    return 0;
  }

  private boolean ready(List<ServiceGroups.Group> groups) {
    for (ServiceGroups.Group g : groups) {
      boolean ok = g.id().equals(Topics.WORKER_GROUP) ? g.owners() >= waitWorkers : !g.members().isEmpty();
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private void print(List<ServiceGroups.Group> groups) {
    for (ServiceGroups.Group g : groups) {
      spec.commandLine().getOut().printf("%-28s %-14s %d member(s)%s%n", g.id(), g.service(), g.members().size(),
          g.members().isEmpty() ? "" : ": " + String.join(", ", g.members()));
    }
  }
}
