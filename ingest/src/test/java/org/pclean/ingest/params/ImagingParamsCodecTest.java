package org.pclean.ingest.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.pclean.bus.Messages;
import org.pclean.bus.avro.ImagingParams;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.SpectralKind;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.plan.SpectralAxis;
import org.pclean.ingest.source.ChannelRegridder;
import org.pclean.ingest.source.SpwChannels;

/**
 * The typed parameters on the bus: what a client's TcleanParams becomes in a JobSpec, checked against values
 * written out here by hand (radians, Jy, Hz, m/s), and what a worker makes of those bytes — the parameters the
 * client built, except threads, which are the worker's.
 */
class ImagingParamsCodecTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  private static TcleanParams cube() {
    return TcleanParams.builder().vis(Path.of("/d/x.ms")).imagename("out/c").imsize(256, 128)
        .cell(1.5 * ARCSEC, 2 * ARCSEC).phasecenter(2.5, -0.3).field(0, 2)
        .spwSelection(SpwChannels.parse("0:10~50;60~100,1")).specmode(TcleanParams.SpecMode.CUBE)
        .datacolumn(DataColumn.CORRECTED).gridder(TcleanParams.GridderKind.WGRIDDER).epsilon(1e-5)
        .weighting(TcleanParams.WeightingMode.BRIGGSABS).robust(-0.5).noise(0.02).uvtaper(1e-4)
        .perchanweightdensity(false)
        .deconvolver(TcleanParams.DeconvolverKind.MULTISCALE).scales(0, 5, 15).smallscalebias(0.3).niter(77)
        .cycleniter(20).gain(0.05).threshold(1.5e-4).nsigma(3).restoringbeam(5, 4, 30)
        .mask("#CRTFv0\ncircle[['19h59m28.5s', '+40d44m01s'], 5arcsec]", "box[[1pix, 2pix], [3pix, 4pix]]")
        .sidelobethreshold(2.5).growiterations(50).dogrowprune(false).fastnoise(false).pbcor(true).nchan(8)
        .fits(true).threads(3).restart(true).calcres(false).start("1000km/s").width("-2.5km/s")
        .restfreq(1.420405752e9).veltype(SpectralAxis.VelocityType.OPTICAL).outframe("lsrk")
        .interpolation(ChannelRegridder.Interpolation.NEAREST).timerange(new double[] {5.1e9, 5.1e9 + 600})
        .rows("ea01,ea02;!ea05", "1,3~5", "0~10klambda,>5km").nmajor(4)
        .build();
  }

  @Test
  void theRecordHoldsTheParametersInTheirUnits() {
    ImagingParams r = ImagingParamsCodec.toRecord(cube());
    assertEquals("/d/x.ms", r.getVis());
    assertNull(r.getDataset());
    assertEquals(List.of(5.1e9, 5.1e9 + 600), r.getTimerange());
    assertEquals(List.of(256, 128), r.getImsize());
    assertEquals(List.of(7.27220521664304e-6, 9.69627362219072e-6), r.getCell());  // 1.5″, 2″ in radians
    assertEquals(List.of(2.5, -0.3), r.getPhasecenter());
    assertEquals(List.of(0, 2), r.getField());
    assertEquals(List.of(0, 1), r.getSpw());
    assertNull(r.getChanrange(), "several ranges: spwchannels says it");
    assertEquals(2, r.getSpwchannels().size());
    assertEquals(0, r.getSpwchannels().get(0).getSpw());
    assertEquals(List.of(List.of(10, 50), List.of(60, 100)), r.getSpwchannels().get(0).getRanges());
    assertEquals(List.of(), r.getSpwchannels().get(1).getRanges(), "spw 1: every channel");
    assertEquals("CORRECTED", r.getDatacolumn().name());
    assertEquals("WGRIDDER", r.getGridder().name());
    assertEquals(1e-5, r.getEpsilon());
    assertEquals("BRIGGSABS", r.getWeighting().name());
    assertEquals(0.02, r.getNoise());
    assertEquals(List.of(0, 5, 15), r.getScales());
    assertEquals(1.5e-4, r.getThreshold(), "Jy");
    assertEquals(List.of(5.0, 4.0, 30.0), r.getRestoringbeam());
    assertEquals("USER", r.getMasking().getUsemask().name());
    assertEquals("#CRTFv0\ncircle[['19h59m28.5s', '+40d44m01s'], 5arcsec]", r.getMasking().getMask().get(0));
    assertEquals(50, r.getMasking().getGrowiterations());
    assertEquals(5.0, r.getMasking().getNoisethreshold(), "tclean's default");
    assertEquals(SpectralKind.VELOCITY, r.getStart().getKind());
    assertEquals(1.0e6, r.getStart().getValue(), "1000 km/s in m/s");
    assertEquals(-2500.0, r.getWidth().getValue(), "-2.5 km/s in m/s");
    assertEquals(1.420405752e9, r.getRestfreq());
    assertEquals("OPTICAL", r.getVeltype().name());
    assertEquals("LSRK", r.getOutframe());
    assertEquals("NEAREST", r.getInterpolation().name());
    assertEquals("ea01,ea02;!ea05", r.getAntenna());
    assertEquals("1,3~5", r.getScan());
    assertEquals("0~10klambda,>5km", r.getUvrange());
    assertEquals(4, r.getNmajor());
    assertTrue(r.getRestart() && !r.getCalcres() && r.getCalcpsf() && r.getFits() && r.getPbcor());
    assertNull(ImagingParams.getClassSchema().getField("threads"), "threads are the worker's, not on the bus");
  }

  @Test
  void aWorkerRebuildsTheClientsParametersWithItsOwnThreads() throws Exception {
    TcleanParams p = cube();
    JobSpec spec = JobSpec.newBuilder().setJobId("j1").setState(JobState.PLANNED).setMode(JobMode.CUBE)
        .setVis("/d/x.ms").setImagename("out/c").setImaging(ImagingParamsCodec.toRecord(p)).build();
    byte[] bytes = Messages.JOB_SPEC.toBytes("pclean.jobs", spec);
    TcleanParams back = ImagingParamsCodec.of(Messages.JOB_SPEC.fromBytes("pclean.jobs", bytes), 7);
    assertEquals(7, back.threads());
    for (RecordComponent c : TcleanParams.class.getRecordComponents()) {
      // spwChannels hold int[] ranges (no value equality): compared by their CASA text below.
      if (!c.getName().equals("threads") && !c.getName().equals("spwChannels")) {
        Object a = c.getAccessor().invoke(p);
        Object b = c.getAccessor().invoke(back);
        assertTrue(Arrays.deepEquals(new Object[] {a}, new Object[] {b}), c.getName() + ": " + a + " vs " + b);
      }
    }
    assertEquals("0:10~50;60~100,1", SpwChannels.format(back.spwChannels()));
    // A dataset source, defaults elsewhere: nulls stay null, tclean's defaults come back.
    TcleanParams replay = TcleanParams.builder().dataset("obs1").imagename("r").build();
    TcleanParams replayBack = ImagingParamsCodec.fromRecord(ImagingParamsCodec.toRecord(replay), 1);
    assertNull(replayBack.vis());
    assertEquals("obs1", replayBack.dataset());
    assertNull(replayBack.phasecenter());
    assertNull(replayBack.restoringbeam());
    assertEquals(SpectralAxis.Value.NONE, replayBack.start());
    assertEquals(TcleanParams.WeightingMode.NATURAL, replayBack.weighting());
    assertTrue(replayBack.rows().all(), "every antenna, scan and uv distance");
    assertEquals(-1, replayBack.nmajor());
  }

  @Test
  void aRecordThatBreaksARuleIsRefusedAsTheClientWouldBe() {
    ImagingParams r = ImagingParamsCodec.toRecord(cube());
    r.setGain(1.5);
    assertEquals("gain must lie in (0, 1], got 1.5",
        assertThrows(IllegalArgumentException.class, () -> ImagingParamsCodec.fromRecord(r, 1)).getMessage());
    JobSpec old = JobSpec.newBuilder().setJobId("j0").setState(JobState.PLANNED).setMode(JobMode.CUBE)
        .setVis("/d/x.ms").setImagename("o").build();
    String why = assertThrows(IllegalArgumentException.class, () -> ImagingParamsCodec.of(old, 1)).getMessage();
    assertTrue(why.startsWith("job j0 carries no typed imaging parameters"), why);
  }

  /** Each Avro enum has exactly the constants of the Java enum it carries (they map by name). */
  @Test
  void theBusEnumsMatchTheParameterEnums() {
    assertSameConstants(TcleanParams.SpecMode.class, "specmode");
    assertSameConstants(DataColumn.class, "datacolumn");
    assertSameConstants(TcleanParams.GridderKind.class, "gridder");
    assertSameConstants(TcleanParams.WeightingMode.class, "weighting");
    assertSameConstants(TcleanParams.DeconvolverKind.class, "deconvolver");
    assertSameConstants(SpectralAxis.VelocityType.class, "veltype");
    assertSameConstants(ChannelRegridder.Interpolation.class, "interpolation");
    Schema masking = ImagingParams.getClassSchema().getField("masking").schema();
    assertEquals(names(MaskParams.UseMask.class), Set.copyOf(masking.getField("usemask").schema().getEnumSymbols()));
    Schema start = ImagingParams.getClassSchema().getField("start").schema();
    assertEquals(names(SpectralAxis.Kind.class), Set.copyOf(start.getField("kind").schema().getEnumSymbols()));
  }

  private static void assertSameConstants(Class<? extends Enum<?>> type, String field) {
    assertEquals(names(type), Set.copyOf(ImagingParams.getClassSchema().getField(field).schema().getEnumSymbols()),
        field);
  }

  private static Set<String> names(Class<? extends Enum<?>> type) {
    return Stream.of(type.getEnumConstants()).map(Enum::name).collect(Collectors.toSet());
  }
}
