package org.pclean.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.pclean.bus.Topics;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.casacore.TableDirectories;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.imaging.gather.EndedJobSweeper;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.parallel.LocalCluster;
import org.pclean.ops.parallel.ParallelRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench soak}: N small jobs back to back (cube and continuum in turn) on one cluster (embedded, or
 * {@code --bootstrap-servers} for a broker in its own process, so that this process's memory is pclean's alone),
 * each job's products removed once it is DONE, then what is left: heap after GC and RSS before, after, and at
 * every tenth of the jobs (a leak grows with the jobs, a filling bounded cache levels off), topics, keys still
 * live in the coordinator's changelogs and pclean.models once its sweeper has run (each job tombstones its own),
 * and files left under the work and output directories (temporary names of staged products, sub-cubes). One JSON
 * line.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Small jobs back to back: memory, leaked topics, store keys and files (one JSON line).")
final class SoakBenchCommand implements Callable<Integer> {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  @Option(names = "--jobs", defaultValue = "200", description = "jobs (default ${DEFAULT-VALUE})") int jobs;
  @Option(names = "--nworkers", defaultValue = "2", description = "worker threads (default ${DEFAULT-VALUE})") int nworkers;
  @Option(names = "--imsize", defaultValue = "64", description = "image size (default ${DEFAULT-VALUE})") int imsize;
  @Option(names = "--bootstrap-servers", description = "a running cluster (e.g. `pclean broker`); default an"
      + " embedded broker in this process, whose own metrics then count in its heap") String bootstrap;
  @Option(names = "--local-directory", description = "where the MS, work and outputs go (default a temp dir, removed)")
  Path dir;
  @Option(names = "--results", defaultValue = "bench-results/soak.jsonl", description = "appended (default ${DEFAULT-VALUE})")
  Path results;

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || nworkers < 1 || imsize < 16) {
      throw new IllegalArgumentException("--jobs and --nworkers must be >= 1 and --imsize >= 16, got " + jobs + ", "
          + nworkers + ", " + imsize);
    }
    boolean temporary = dir == null;
    Path base = temporary ? Files.createTempDirectory("pclean-soak-") : Files.createDirectories(dir);
    try {
      Path ms = base.resolve("soak.ms");
      MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
          new MsSimulator.Observation("E", Math.toRadians(150), Math.toRadians(40), 2, 1.4e9, 20e6, "RR LL", -0.5,
              0.5, 60, 60000, 0.001, 3),
          List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7)));
      Path work = base.resolve("work");
      Path out = Files.createDirectories(base.resolve("out"));
      try (LocalCluster cluster = new LocalCluster(bootstrap, nworkers, work)) {
        int topicsBefore = topics(cluster.client());
        long heapBefore = heapAfterGc();
        long rssBefore = rssKib();
        List<String> heapCurve = new java.util.ArrayList<>();
        List<String> rssCurve = new java.util.ArrayList<>();
        int every = Math.max(1, jobs / 10);
        long t0 = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
          boolean cube = i % 2 == 0;
          TcleanParams.Builder b = TcleanParams.builder().vis(ms).imagename(out.resolve("j" + i).toString())
              .imsize(imsize, imsize).cell(6 * ARCSEC, 6 * ARCSEC).datacolumn(DataColumn.DATA).niter(50)
              .threshold(1e-3).threads(1);
          TcleanParams p = cube ? b.specmode(TcleanParams.SpecMode.CUBE).build() : b.cycleniter(25).build();
          String id = ParallelRunner.submit(cluster.client(), cluster.producer(), p, new ParallelRunner.Settings(
              nworkers, 1, null, work, "auto", false, Duration.ofMinutes(5), 0, false));
          ParallelRunner.Outcome o = ParallelRunner.await(cluster, id, p, Duration.ofMinutes(5));
          o.products().forEach(TableDirectories::delete);
          if ((i + 1) % every == 0) {
            heapCurve.add(String.format(Locale.ROOT, "%.1f", heapAfterGc() / 1048576.0));
            rssCurve.add(String.format(Locale.ROOT, "%.0f", rssKib() / 1024.0));
          }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long heapAfter = heapAfterGc();
        long rssAfter = rssKib();
        // The last jobs' state is tombstoned by the coordinator's sweeper, which runs every EndedJobSweeper.INTERVAL:
        // count until nothing is live or two intervals have passed.
        long w0 = System.nanoTime();
        long sweepDeadline = w0 + 2 * EndedJobSweeper.INTERVAL.toNanos() + 5_000_000_000L;
        long liveKeys = liveKeys(cluster.client());
        while (liveKeys > 0 && System.nanoTime() < sweepDeadline) {
          Thread.sleep(1000);
          liveKeys = liveKeys(cluster.client());
        }
        double sweepWait = (System.nanoTime() - w0) / 1e9;
        String json = String.format(Locale.ROOT, "{\"bench\":\"soak\",\"time\":\"%s\",\"jobs\":%d,\"nworkers\":%d,"
            + "\"imsize\":%d,\"wall_s\":%.1f,\"s_per_job\":%.2f,\"heap_before_mib\":%.1f,\"heap_after_mib\":%.1f,"
            + "\"rss_before_mib\":%.0f,\"rss_after_mib\":%.0f,\"topics_before\":%d,\"topics_after\":%d,"
            + "\"heap_mib_every_%d_jobs\":[%s],\"rss_mib_every_%d_jobs\":[%s],\"broker\":\"%s\","
            + "\"live_store_keys\":%d,\"sweep_wait_s\":%.1f,\"files_left_work\":%d,\"files_left_out\":%d}",
            Instant.now(), jobs, nworkers, imsize, wall, wall / jobs, heapBefore / 1048576.0, heapAfter / 1048576.0,
            rssBefore / 1024.0, rssAfter / 1024.0, topicsBefore, topics(cluster.client()), every,
            String.join(",", heapCurve), every, String.join(",", rssCurve), bootstrap == null ? "embedded" : "external",
            liveKeys, sweepWait, filesOutsideState(work), files(out));
        BenchCommand.emit(json, results);
      }
    } finally {
      if (temporary) {
        TableDirectories.delete(base);
      }
    }
    return 0;
  }

  private static long heapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Resident set size from /proc (0 where there is none). */
  private static long rssKib() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return 0;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  private static int topics(Properties client) throws Exception {
    try (Admin admin = Admin.create(client)) {
      return admin.listTopics().names().get().size();
    }
  }

  /** Keys whose latest record is not a tombstone, over the coordinator's changelogs and pclean.models. */
  private static long liveKeys(Properties client) throws Exception {
    List<String> topics;
    try (Admin admin = Admin.create(client)) {
      topics = admin.listTopics().names().get().stream()
          .filter(t -> (t.startsWith(Coordinator.APPLICATION_ID + "-") && t.endsWith("-changelog"))
              || t.equals(Topics.MODELS.name())).toList();
    }
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    long live = 0;
    try (KafkaConsumer<byte[], byte[]> cons = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      for (String t : topics) {
        List<TopicPartition> parts = cons.partitionsFor(t).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        cons.assign(parts);
        cons.seekToBeginning(parts);
        Map<TopicPartition, Long> end = cons.endOffsets(parts);
        Map<String, Boolean> latest = new HashMap<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (parts.stream().anyMatch(tp -> cons.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
          for (var r : cons.poll(Duration.ofMillis(200))) {
            latest.put(r.partition() + ":" + java.util.Arrays.toString(r.key()), r.value() != null);
          }
        }
        live += latest.values().stream().filter(v -> v).count();
      }
    }
    return live;
  }

  /** Regular files under work, leaving out the coordinator's local state (streams-*: its stores, not leaks). */
  private static long filesOutsideState(Path work) throws IOException {
    if (!Files.isDirectory(work)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(work)) {
      return s.filter(Files::isRegularFile)
          .filter(f -> !work.relativize(f).getName(0).toString().startsWith("streams-")).count();
    }
  }

  private static long files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
