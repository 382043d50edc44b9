package org.pclean.ops.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.source.DatasetReader;
import org.pclean.ops.PClean;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.cli.PcleanCli;

/**
 * {@code pclean simulate --stream}: a correlator emulator publishes an observation live with no MS. Its dataset
 * replays exactly as the MS {@code pclean simulate} writes for the same arguments images (mfs and cube), and the
 * image holds the known sky.
 */
class SimulateStreamTest {
  static final int N = 96;
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final double CELL = 4 * ARCSEC;
  /** The observation, as both commands take it: two sources, the brighter 1 Jy at (48″, 32″). */
  static final List<String> OBSERVATION = List.of("--array-config", "C", "--hours", "0.6", "--integration", "120",
      "--nchan", "4", "--freq", "1.4GHz", "--chanwidth", "32MHz", "--stokes", "RR LL", "--noise", "0.02",
      "--seed", "5", "--source", "48,32,1.0,-0.7", "--source", "-80,-24,0.4,0.3");

  @TempDir static Path tmp;
  static EmbeddedKafkaBroker broker;
  static Properties client;
  static Path ms;

  @BeforeAll
  static void emulateAndSimulate() throws Exception {
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    client = PClean.client(broker.bootstrapServers());
    StringWriter err = new StringWriter();
    assertEquals(0, cli(err, with("simulate", "--stream", "--dataset", "emu", "--rate", "max",
        "--scheduler-address", broker.bootstrapServers(), "--truth", tmp.resolve("emu.sky.json").toString())),
        err.toString());
    ms = tmp.resolve("emu.ms");
    assertEquals(0, cli(err, with("simulate", "--out", ms.toString())), err.toString());
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void theStreamHasEveryDumpOfTheSimulatedMsAndNoSourceMs() {
    DatasetDescriptor d = DatasetReader.descriptor(client, "emu").orElseThrow();
    assertTrue(d.getComplete());
    assertNull(d.getSourceMs(), "an emulated stream has no MS behind it");
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      double[] t = m.readTime(0, (int) m.numRows());
      assertEquals(java.util.Arrays.stream(t).distinct().count(), d.getNumDumps());
      assertEquals(m.metadata().timeRange()[0], d.getStartTime(), 1e-6);
      assertEquals(m.metadata().timeRange()[1], d.getEndTime(), 1e-6);
    }
    assertEquals(120.0, d.getIntegration(), 1e-9);
    assertTrue(Files.exists(tmp.resolve("emu.sky.json")));
  }

  @Test
  void replayEqualsImagingTheSimulatedMs() {
    for (TcleanParams p : List.of(params("mfs").build(), params("cube").specmode(SpecMode.CUBE).niter(100).build())) {
      SerialImager.run(p);
      TcleanParams r = p.toBuilder().vis(null).dataset("emu").imagename(tmp.resolve("replay-" + p.imagename()
          .substring(p.imagename().lastIndexOf('/') + 1)).toString()).build();
      PClean.replay(r, client);
      StreamReplayTest.assertSameProducts(p, r);
    }
  }

  /** The truth: the brighter source's restored flux at its offset (12, 8) pixels from the centre. */
  @Test
  void theReplayedImageHoldsTheKnownSky() {
    TcleanParams r = params("sky").vis(null).dataset("emu").build();
    PClean.replay(r, client);
    try (CasaImage img = CasaImage.open(new OutputNames(r.imagename()).path(OutputNames.Product.IMAGE))) {
      float[] plane = img.readPlane(0, 0);
      int peak = 0;
      for (int i = 1; i < plane.length; i++) {
        peak = plane[i] > plane[peak] ? i : peak;
      }
      int dx = peak % N - N / 2;
      int dy = peak / N - N / 2;
      assertEquals(12, Math.abs(dx), "peak " + dx + "," + dy);
      assertEquals(8, Math.abs(dy), "peak " + dx + "," + dy);
      // 1 Jy at 1.4 GHz with alpha -0.7, at the mid-band reference frequency 1.448 GHz.
      double expected = Math.pow(1.448 / 1.4, -0.7);
      assertEquals(expected, plane[peak], 0.03 * expected);
    }
  }

  @Test
  void badSimulateStreamsAreOneLineAndPublishNothing() {
    String bootstrap = broker.bootstrapServers();
    for (String[] args : List.of(
        new String[] {"simulate", "--stream", "--out", tmp.resolve("x.ms").toString(), "--dataset", "bad1",
            "--scheduler-address", bootstrap},
        new String[] {"simulate", "--stream", "--dataset", "bad2"},
        new String[] {"simulate", "--hours", "1"},
        new String[] {"simulate", "--stream", "--dataset", "bad 3", "--scheduler-address", bootstrap},
        new String[] {"simulate", "--stream", "--dataset", "bad4", "--rate", "soon", "--scheduler-address",
            bootstrap})) {
      StringWriter err = new StringWriter();
      assertEquals(2, cli(err, args), err.toString());
      assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
    assertFalse(Files.exists(tmp.resolve("x.ms")));
    for (String name : List.of("bad1", "bad2", "bad4")) {
      assertTrue(DatasetReader.descriptor(client, name).isEmpty(), name + " was published");
    }
  }

  static TcleanParams.Builder params(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N).cell(CELL, CELL)
        .datacolumn(DataColumn.DATA).niter(300).threshold(2e-3).threads(1);
  }

  private static String[] with(String... head) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(OBSERVATION);
    return all.toArray(String[]::new);
  }

  private static int cli(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }
}
