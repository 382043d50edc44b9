package org.pclean.ingest;

import java.util.List;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MsMetadata;
import org.pclean.casacore.ObservationInfo;
import org.pclean.casacore.WStack;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.ImagePlane;
import org.pclean.ingest.plan.RegriddedCube;
import org.pclean.ingest.plan.SpectralAxis;
import org.pclean.ingest.plan.WPlanes;
import org.pclean.ingest.source.DumpTable;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;

/**
 * Turns (parameters, source) into the whole plan of a parallel job, reading the source once: the channels of a
 * cube and its sub-cubes, or the row chunks of a continuum job (balanced by unflagged samples), its plane
 * geometry and the w planes of the whole selection. Publishing the plan is the submitters' job; this class
 * touches no Kafka.
 */
public final class JobPlanner {
  private JobPlanner() {}

  /** A planned job: the parameters as workers must see them (a live dataset's range pinned), and its partitions. */
  public sealed interface Plan permits CubePlan, ContinuumPlan {
    TcleanParams params();
  }

  /** @param subcubes channel ranges of the sub-cubes, over nchan image channels */
  public record CubePlan(TcleanParams params, int nchan, List<PartitionPlanner.ChannelRange> subcubes)
      implements Plan {}

  /**
   * @param rows selected rows
   * @param chunks row chunks balanced by unflagged samples
   * @param densityPass whether the weighting needs the gathered density before cycle 0 (uniform, briggs)
   */
  public record ContinuumPlan(TcleanParams params, int rows, List<RowPartitioner.RowChunk> chunks,
      PlaneGeometry geometry, boolean densityPass) implements Plan {}

  /**
   * @param workers workers to plan for (sub-cubes per worker, default row chunks)
   * @param rowChunks continuum row chunks (0: one per worker)
   * @param cubeChunksize channels per sub-cube (-1: one sub-cube per worker)
   */
  public static Plan plan(TcleanParams p, VisibilitySource source, int workers, int rowChunks, int cubeChunksize) {
    if (source instanceof DumpTable table) {
      p = pinned(p, table);
    }
    VisibilityLoader.Selection sel = VisibilityLoader.select(source, p.selection());
    if (p.specmode() == TcleanParams.SpecMode.MFS) {
      int[] unflagged = VisibilityLoader.unflaggedPerRow(source, p.selection());
      var chunks = RowPartitioner.balance(unflagged, rowChunks > 0 ? rowChunks : workers);
      return new ContinuumPlan(p, unflagged.length, chunks, geometry(source, p, sel), needsDensityPass(p));
    }
    double[][] channels = VisibilityLoader.channels(source.metadata(), p.selection());
    double[] planes;
    if (p.regridsChannels()) {
      // tclean's start/width/nchan/outframe: the planes are the output grid over the whole selection.
      SpectralAxis.Grid grid = RegriddedCube.of(p, source).grid();
      planes = new double[grid.nchan()];
      for (int k = 0; k < planes.length; k++) {
        planes[k] = grid.freq(k);
      }
    } else {
      // One plane per selected channel, in frequency order; several spws or ranges must lie on one regular grid.
      if (p.selection().several()) {
        ImagePlane.geometry(p, channels[0], channels[1], sel.phaseCentre(), true, channels[0].length);
      }
      planes = channels[0];
      if (p.nchan() != -1) {
        if (p.nchan() > planes.length) {
          throw new IllegalArgumentException("nchan " + p.nchan() + " exceeds the " + planes.length
              + " selected channels");
        }
        planes = java.util.Arrays.copyOf(planes, p.nchan());
      }
    }
    int nchan = planes.length;
    if (p.selection().several() && p.restfreq() == 0) {
      // The header's rest frequency is the whole selection's; a sub-cube over some of its spws would take its own.
      p = p.toBuilder().restfreq(ImagePlane.observation(p, source).restFreq()).build();
    }
    return new CubePlan(cubeWeighting(p, planes, nchan), nchan,
        PartitionPlanner.planCube(nchan, cubeChunksize, workers));
  }

  /** Whether the weighting needs the density of all rows, gathered before any chunk weighs its samples. */
  public static boolean needsDensityPass(TcleanParams p) {
    return p.weighting().needsDensity();
  }

  /**
   * A sub-cube sees only its own channels, but briggsbwtaper needs the whole cube's fractional bandwidth (tclean's,
   * from the first and last image channel): it is pinned into the parameters every worker gets. (The one density
   * of perchanweightdensity false each worker makes from the job's whole selection.)
   */
  static TcleanParams cubeWeighting(TcleanParams p, double[] freq, int nchan) {
    if (p.weighting() == TcleanParams.WeightingMode.BRIGGSBWTAPER && p.fracbw() == 0) {
      return p.toBuilder().fracbw(fractionalBandwidth(freq[0], freq[nchan - 1])).build();
    }
    return p;
  }

  /** tclean's fractional bandwidth of a cube from its first and last channel frequency: 2|Δν| / (ν1 + ν2). */
  public static double fractionalBandwidth(double first, double last) {
    double fb = 2 * Math.abs(last - first) / (first + last);
    if (!(fb > 0)) {
      throw new IllegalArgumentException("weighting briggsbwtaper needs a cube of two or more channels"
          + " (its fractional bandwidth is 0)");
    }
    return fb;
  }

  /**
   * A dataset still streaming grows while a job runs: the job is planned on the dumps the client replayed, so its
   * time range is pinned to end just after the last of them and every worker replays exactly those rows.
   */
  static TcleanParams pinned(TcleanParams p, DumpTable table) {
    double from = p.timerange() == null ? Double.NEGATIVE_INFINITY : p.timerange()[0];
    double to = p.timerange() == null ? Double.POSITIVE_INFINITY : p.timerange()[1];
    return p.toBuilder().timerange(new double[] {from, Math.min(to, table.lastTime() + 1e-3)}).build();
  }

  /** The continuum plane as the serial engine derives it, with the w planes of the whole selection. */
  private static PlaneGeometry geometry(VisibilitySource source, TcleanParams p, VisibilityLoader.Selection sel) {
    MsMetadata md = source.metadata();
    // Every selected channel (several spws or ranges too), as the serial engine's merged data holds them.
    double[][] channels = VisibilityLoader.channels(md, p.selection());
    double[] freq = channels[0];
    double[] width = channels[1];
    ImageGeometry g = ImagePlane.geometry(p, freq, width, sel.phaseCentre(), false, 1);
    WStack w = WStack.none();
    if (p.gridder() != TcleanParams.GridderKind.STANDARD) {
      w = WPlanes.forSelection(p, VisibilityLoader.uvw(source, p.selection()), freq);
    }
    ObservationInfo obs = ImagePlane.observation(p, source);
    return PlaneGeometry.newBuilder().setRa(g.ra()).setDec(g.dec()).setFreq0(g.freq0()).setDfreq(g.dfreq())
        .setDishDiameter(ImagePlane.dishDiameter(md)).setWplanes(w.planes())
        .setWminLambda(w.stacked() ? w.wmin() : 0).setWmaxLambda(w.stacked() ? w.wmax() : 0)
        .setTelescope(obs.telescope()).setObserver(obs.observer()).setObsDateMjdSec(obs.obsDateMjdSec())
        .setFrame(obs.frame()).setRestFreq(obs.restFreq()).build();
  }
}
