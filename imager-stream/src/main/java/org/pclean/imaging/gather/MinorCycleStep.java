package org.pclean.imaging.gather;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pclean.bus.avro.ContinuumState;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.casacore.Beam;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.PlaneProducts;
import org.pclean.imaging.beam.PrimaryBeam;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.imaging.cycles.MinorCycle;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.imaging.mask.AutoMultiThresh;
import org.pclean.imaging.mask.CleanMask;
import org.pclean.imaging.mask.PixelFrame;
import org.pclean.imaging.mask.PlaneMasks;
import org.pclean.ingest.params.TcleanParams;

/**
 * The compute of one continuum minor cycle, off the stream thread: from the normalised gathered images (read from
 * the stores by the processor) to the cleaned models, or — when a stop rule holds — to the restored product set.
 * It touches no store and sends nothing; the processor applies its {@link Outcome} on the stream thread, inside a
 * transaction, so exactly-once holds for everything it writes.
 */
final class MinorCycleStep {
  /**
   * What the processor read for the cycle. state is a copy taken when the cycle completed (the stream thread may
   * go on changing the stored one); priorMask is auto-multithresh's mask of the previous cycle, or null;
   * restartMask the .mask a restart started from, or null.
   */
  record Input(JobSpec job, TcleanParams p, ContinuumState state, float[][] psfs, float[][] residuals,
      float[][] models, AutoMultiThresh.State priorMask, byte[] restartMask) {}

  /**
   * What the processor writes. Iteration control as it stands after the cycle; mask: auto-multithresh's state to
   * keep for the next cycle (null without one); stop: present when the job ends, with the products and the
   * peak residual; otherwise cycle is the minor cycle's record and models the cleaned models.
   */
  record Outcome(int iterationsDone, double minPeak, double lastPeak, boolean lastCycleAtThreshold,
      AutoMultiThresh.State mask, Optional<StopReason> stop, ImagingResult.Cycle cycle, float[][] models,
      List<PlaneProducts.ProductImage> products, double peak) {}

  private MinorCycleStep() {}

  static Outcome run(Input in) {
    TcleanParams p = in.p();
    ContinuumState state = in.state();
    float[] pb = pb(in.job(), p);
    IterationControl control = IterationControl.resume(p, state.getMaxSidelobe(), state.getIterationsDone(),
        state.getMinPeak(), state.getLastPeak(), state.getLastCycleAtThreshold());
    CleanMask mask = mask(in, pb);
    MinorCycle minor = new MinorCycle(p, in.psfs(), control, mask);
    List<ImagingResult.Cycle> history = new ArrayList<>();
    Optional<StopReason> stop = minor.step(0, state.getCycle(), in.residuals(), in.models(), history);
    AutoMultiThresh.State kept = mask instanceof AutoMultiThresh auto && p.niter() > 0 ? auto.state() : null;
    List<PlaneProducts.ProductImage> products = stop.isEmpty() ? List.of()
        : PlaneProducts.of(p, in.models(), in.residuals(), in.psfs(), pb, sumwts(state), beam(state),
            p.niter() > 0 ? minor.mask() : null);
    return new Outcome(control.iterationsDone(), control.minPeak(), control.lastPeak(),
        control.lastCycleAtThreshold(), kept, stop, history.isEmpty() ? null : history.get(0), in.models(), products,
        minor.lastPeak());
  }

  /**
   * The plane's mask for this cycle, as the serial engine makes it for its mfs plane (from a restart's mask, as
   * tclean: a user mask cleans in it too, auto-multithresh grows from it); auto-multithresh then resumes from the
   * previous cycle's mask images.
   */
  private static CleanMask mask(Input in, float[] pb) {
    TcleanParams p = in.p();
    PlaneGeometry g = in.job().getGeometry();
    PixelFrame frame = new PixelFrame(p.nx(), p.ny(), g.getRa(), g.getDec(), p.cell()[0], p.cell()[1]);
    CleanMask mask = new PlaneMasks(p).forPlane(frame, g.getFreq0(), pb, beam(in.state()),
        in.state().getMaxSidelobe(), "job " + in.job().getJobId(), in.restartMask());
    if (mask instanceof AutoMultiThresh auto && in.priorMask() != null) {
      auto.restore(in.priorMask());
    }
    return mask;
  }

  static Beam beam(ContinuumState state) {
    return new Beam(state.getBeamMajorArcsec(), state.getBeamMinorArcsec(), state.getBeamPaDeg());
  }

  private static double[] sumwts(ContinuumState state) {
    return state.getSumwts().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The primary beam of the job's plane, as the serial engine makes it. */
  private static float[] pb(JobSpec job, TcleanParams p) {
    PlaneGeometry g = job.getGeometry();
    return PrimaryBeam.image(p.nx(), p.ny(), p.cell()[0], p.cell()[1], g.getDishDiameter(), g.getFreq0());
  }
}
