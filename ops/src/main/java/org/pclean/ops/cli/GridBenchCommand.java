package org.pclean.ops.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pclean.casacore.GriddingKernels;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;
import org.pclean.casacore.WGridderKernels;
import org.pclean.casacore.WStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench grid}: the gridding kernels alone on the uvw and frequencies of a real MS (unit visibilities
 * and weights), one JSON line per (gridder, image size, threads) with visibilities per second per core for grid,
 * degrid and both, FFTs excluded — the metric ducc0's wgridder reports. The wgridder's kernel time is its own phase
 * timers (bucketing + gridding); the standard gridder has none, so its kernel time is its call minus the same call
 * on no samples (which does the FFTs and grid correction only).
 */
@Command(name = "grid", mixinStandardHelpOptions = true, description = "Gridding kernel throughput (JSON lines).")
final class GridBenchCommand implements Callable<Integer> {
  @Option(names = "--vis", required = true, description = "the MeasurementSet whose uvw and spw 0 channels are gridded")
  Path vis;

  @Option(names = "--gridder", split = ",", defaultValue = "standard,wgridder", description = "gridders (default ${DEFAULT-VALUE})")
  List<String> gridders;

  @Option(names = "--imsize", split = ",", defaultValue = "2048", description = "image sizes (default ${DEFAULT-VALUE})")
  List<Integer> sizes;

  @Option(names = "--cell", defaultValue = "1arcsec", description = "cell (default ${DEFAULT-VALUE})")
  String cell;

  @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "thread counts (default ${DEFAULT-VALUE})")
  List<Integer> threads;

  @Option(names = "--epsilon", defaultValue = "1e-4", description = "wgridder accuracy (default ${DEFAULT-VALUE})")
  double epsilon;

  @Option(names = "--rows", defaultValue = "-1", description = "the first N rows only (-1: all)")
  long maxRows;

  @Option(names = "--results", defaultValue = "bench-results/results.jsonl", description = "file the JSON lines are appended to")
  Path results;

  /** The samples gridded: uvw (metres) of the rows read and the frequencies of spw 0. */
  private record Samples(double[] uvw, double[] freq) {
    long count() {
      return (long) uvw.length / 3 * freq.length;
    }
  }

  @Override
  public Integer call() throws Exception {
    ListobsCommand.requireMs(vis);
    for (String g : gridders) {
      if (!g.equals("standard") && !g.equals("wgridder")) {
        throw new IllegalArgumentException("bench grid measures gridders standard and wgridder, not '" + g + "'");
      }
    }
    Samples s = read();
    double cellRad = Quantities.angleRad(cell);
    for (int n : sizes) {
      for (int t : threads) {
        for (String g : gridders) {
          BenchCommand.emit(g.equals("wgridder") ? wgridder(s, n, cellRad, t) : standard(s, n, cellRad, t), results);
        }
      }
    }
    return 0;
  }

  private Samples read() {
    try (MeasurementSet ms = MeasurementSet.open(vis)) {
      MsMetadata md = ms.metadata();
      long rows = maxRows < 0 ? ms.numRows() : Math.min(maxRows, ms.numRows());
      double[] uvw = new double[Math.toIntExact(3 * rows)];
      for (long r = 0; r < rows; r += 65536) {
        int nr = (int) Math.min(65536, rows - r);
        System.arraycopy(ms.readUvw(r, nr), 0, uvw, Math.toIntExact(3 * r), 3 * nr);
      }
      return new Samples(uvw, md.spectralWindows().get(0).channelFrequencies());
    }
  }

  private String wgridder(Samples s, int n, double cellRad, int t) {
    double[] w = WStack.range(s.uvw(), s.freq());
    float[] weight = ones(s.count());
    float[] image = new float[n * n];
    double[] grid = new double[4];
    WGridderKernels.invert(s.uvw(), s.freq(), null, weight, n, n, cellRad, cellRad, epsilon, w[0], w[1], t, image, grid);
    double[] degrid = new double[4];
    WGridderKernels.predict(image, n, n, cellRad, cellRad, epsilon, w[0], w[1], s.uvw(), s.freq(), t, degrid);
    WGridderKernels.Parameters k = WGridderKernels.parameters(epsilon, n, n, cellRad, cellRad, w[0], w[1]);
    return line("wgridder", s, n, t, grid[0] + grid[1], degrid[0] + degrid[1],
        grid[2] + grid[3] + degrid[2] + degrid[3],
        String.format(Locale.ROOT, ",\"epsilon\":%.1e,\"support\":%d,\"beta\":%.2f,\"grid\":%d,\"w_planes\":%d",
            epsilon, k.support(), k.beta(), k.gridX(), k.wPlanes()));
  }

  private String standard(Samples s, int n, double cellRad, int t) {
    float[] image = new float[n * n];
    float[] noWeight = new float[Math.toIntExact(s.count())];
    double overheadGrid = seconds(() -> GriddingKernels.invert(s.uvw(), s.freq(), null, noWeight, n, n, cellRad,
        cellRad, 1.2, 1, t, image));
    float[] weight = ones(s.count());
    double grid = seconds(() -> GriddingKernels.invert(s.uvw(), s.freq(), null, weight, n, n, cellRad, cellRad, 1.2,
        1, t, image)) - overheadGrid;
    double[] none = {};
    double overheadDegrid = seconds(() -> GriddingKernels.predict(image, n, n, cellRad, cellRad, 1.2, 1, none,
        s.freq(), t));
    double degrid = seconds(() -> GriddingKernels.predict(image, n, n, cellRad, cellRad, 1.2, 1, s.uvw(), s.freq(),
        t)) - overheadDegrid;
    return line("standard", s, n, t, grid, degrid, overheadGrid + overheadDegrid,
        String.format(Locale.ROOT, ",\"support\":7,\"grid\":%d,\"w_planes\":1", GriddingKernels.paddedSize(n, 1.2)));
  }

  private String line(String gridder, Samples s, int n, int t, double grid, double degrid, double fft, String extra) {
    double mvis = s.count() / 1e6;
    return String.format(Locale.ROOT,
        "{\"bench\":\"grid\",\"time\":\"%s\",\"ms\":\"%s\",\"gridder\":\"%s\",\"npix\":%d,\"threads\":%d,"
            + "\"samples\":%d,\"grid_s\":%.3f,\"degrid_s\":%.3f,\"fft_and_image_s\":%.3f,"
            + "\"grid_mvis_per_s_per_core\":%.2f,\"degrid_mvis_per_s_per_core\":%.2f,"
            + "\"mvis_per_s_per_core\":%.2f%s,\"cores\":%d}",
        Instant.now(), vis, gridder, n, t, s.count(), grid, degrid, fft, mvis / grid / t, mvis / degrid / t,
        2 * mvis / (grid + degrid) / t, extra, Runtime.getRuntime().availableProcessors());
  }

  private static float[] ones(long n) {
    float[] a = new float[Math.toIntExact(n)];
    Arrays.fill(a, 1f);
    return a;
  }

  private static double seconds(Runnable body) {
    long t0 = System.nanoTime();
    body.run();
    return (System.nanoTime() - t0) / 1e9;
  }
}
