package org.pclean.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench read}: MS read throughput, the way a worker reads (chunks of rows x all channels of DATA,
 * FLAG, weights and UVW). Prints one JSON line per pass and appends it to --results.
 */
@Command(name = "read", mixinStandardHelpOptions = true, description = "MS read throughput (JSON lines).")
final class ReadBenchCommand implements Callable<Integer> {
  @Option(names = "--vis", required = true, description = "the MeasurementSet")
  Path vis;

  @Option(names = "--chunk-rows", defaultValue = "8192", description = "rows per read (default ${DEFAULT-VALUE})")
  int chunkRows;

  @Option(names = "--passes", defaultValue = "2", description = "passes over the MS; the first may be cold (default ${DEFAULT-VALUE})")
  int passes;

  @Option(names = "--results", defaultValue = "bench-results/results.jsonl", description = "file the JSON lines are appended to")
  Path results;

  @Override
  public Integer call() throws IOException {
    ListobsCommand.requireMs(vis);
    if (chunkRows < 1 || passes < 1) {
      throw new IllegalArgumentException("--chunk-rows and --passes must be >= 1");
    }
    long onDisk = directorySize(vis);
    for (int pass = 1; pass <= passes; pass++) {
      BenchCommand.emit(readPass(pass, onDisk), results);
    }
    return 0;
  }

  private String readPass(int pass, long onDisk) {
    long bytes = 0;
    long t0 = System.nanoTime();
    long rows;
    try (MeasurementSet ms = MeasurementSet.open(vis)) {
      MsMetadata md = ms.metadata();
      rows = md.rows();
      float[] buffer = null;
      // One data description at a time: every chunk has one shape.
      for (MsMetadata.DataDescription dd : md.dataDescriptions()) {
        ms.select(new int[0], new int[] {dd.id()});
        long n = ms.numRows();
        if (n == 0) {
          continue;
        }
        int[] shape = ms.dataShape(0);
        for (long r = 0; r < n; r += chunkRows) {
          int nr = (int) Math.min(chunkRows, n - r);
          int cells = nr * shape[0] * shape[1];
          if (buffer == null || buffer.length != 2 * cells) {
            buffer = new float[2 * cells];
          }
          ms.readVisibilities(DataColumn.DATA, r, nr, 0, shape[1], buffer);
          byte[] flags = ms.readFlags(r, nr, 0, shape[1]);
          float[] w = ms.readWeights(r, nr, 0, shape[1]);
          double[] uvw = ms.readUvw(r, nr);
          bytes += 4L * buffer.length + flags.length + 4L * w.length + 8L * uvw.length;
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return String.format(Locale.ROOT,
        "{\"bench\":\"ms-read\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"rows\":%d,\"pass\":%d,"
            + "\"chunk_rows\":%d,\"bytes_read\":%d,\"wall_s\":%.3f,\"mb_per_s\":%.1f,\"cores\":%d}",
        Instant.now(), vis, onDisk, rows, pass, chunkRows, bytes, secs, bytes / 1e6 / secs,
        Runtime.getRuntime().availableProcessors());
  }

  static long directorySize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}

/** {@code pclean bench}: benchmarks, each printing JSON lines and appending them to a results file. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks; results as JSON lines.",
    subcommands = {ReadBenchCommand.class, GridBenchCommand.class, ImageBenchCommand.class,
        ReplayBenchCommand.class, StreamBenchCommand.class, SoakBenchCommand.class})
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "which benchmark? read, grid, image, replay, stream or soak");
  }

  static void emit(String jsonLine, Path results) throws IOException {
    System.out.println(jsonLine);
    Path parent = results.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Files.writeString(results, jsonLine + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Peak resident set of this process (VmHWM), MiB; -1 where /proc is not there. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
