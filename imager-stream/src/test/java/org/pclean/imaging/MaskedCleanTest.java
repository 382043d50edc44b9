package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.ingest.params.MaskParams.UseMask;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;

/**
 * CLEAN masks in the serial engine against known skies: a user mask confines every model component; on a snapshot
 * with a strong source, weaker ones in its sidelobes and noise, cleaning deep without a mask puts flux outside the
 * sources while auto-multithresh recovers the known fluxes; a cube whose sources live in different channels gets
 * a different mask per channel.
 */
class MaskedCleanTest {
  static final int N = 128;
  static final double CELL = SkySimulation.CELL;

  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void simulate() {
    ms = SkySimulation.simulate(tmp, "masked.ms", 2, 8e6, 1.0, 0.0);
  }

  static TcleanParams.Builder base(Path vis, String name) {
    return TcleanParams.builder().vis(vis).imagename(tmp.resolve(name).toString()).imsize(N, N).cell(CELL, CELL)
        .datacolumn(DataColumn.DATA).threads(2);
  }

  static float[] plane(String imagename, OutputNames.Product p, int term, int chan) {
    OutputNames names = new OutputNames(imagename);
    try (CasaImage img = CasaImage.open(term < 0 ? names.path(p) : names.path(p, term))) {
      return img.readPlane(0, chan);
    }
  }

  @Test
  void aUserMaskConfinesEveryModelComponent() {
    // Source 0 of the sky at pixel (44, 74); the circle holds it and none of the others.
    int cx = N / 2 + SkySimulation.SKY.get(0).dx();
    int cy = N / 2 + SkySimulation.SKY.get(0).dy();
    String circle = String.format(Locale.ROOT, "circle[[%dpix, %dpix], 5pix]", cx, cy);
    for (DeconvolverKind d : DeconvolverKind.values()) {
      String name = "user-" + d;
      TcleanParams.Builder pb = base(ms, name).deconvolver(d);
      if (d == DeconvolverKind.MULTISCALE) {
        pb.scales(0, 3);
      }
      TcleanParams p = pb.niter(400).threshold(1e-3).mask(circle).build();
      SerialImager.run(p);
      int terms = d == DeconvolverKind.MTMFS ? 2 : 1;
      // Multiscale components are scale functions centred in the mask: they reach 3 pixels further.
      double reach = 5 + (d == DeconvolverKind.MULTISCALE ? 3 : 0);
      int nonzero = 0;
      for (int t = 0; t < terms; t++) {
        float[] model = plane(p.imagename(), OutputNames.Product.MODEL, terms > 1 ? t : -1, 0);
        for (int i = 0; i < model.length; i++) {
          if (model[i] != 0) {
            nonzero++;
            double r = Math.hypot(i % N - cx, i / N - cy);
            assertTrue(r <= reach + 1e-9, d + " term " + t + ": component at " + (i % N) + "," + (i / N));
          }
        }
      }
      assertTrue(nonzero > 0, d + " cleaned");
      float[] mask = plane(p.imagename(), OutputNames.Product.MASK, -1, 0);
      for (int i = 0; i < mask.length; i++) {
        double dx = i % N - cx;
        double dy = i / N - cy;
        assertEquals(dx * dx + dy * dy <= 25 ? 1f : 0f, mask[i], d + " .mask pixel " + i);
      }
    }
  }

  @Test
  void anEmptyUserMaskStopsBeforeCleaning() {
    var r = SerialImager.run(base(ms, "empty").niter(100).mask("circle[[-50pix, -50pix], 3pix]").build());
    assertEquals(StopReason.ZERO_MASK, r.planes().get(0).stop());
    assertEquals(0, r.planes().get(0).iterations());
  }

  @Test
  void pbMaskIsWherePrimaryBeamExceedsPbmask() {
    // 20-arcsec cells: the 43-arcmin field reaches beyond the VLA's half-power radius at 1.4 GHz.
    TcleanParams p = base(ms, "pbmask").cell(20 * SkySimulation.ARCSEC, 20 * SkySimulation.ARCSEC).niter(50).usemask(UseMask.PB).pbmask(0.5).build();
    SerialImager.run(p);
    float[] pb = plane(p.imagename(), OutputNames.Product.PB, -1, 0);
    float[] mask = plane(p.imagename(), OutputNames.Product.MASK, -1, 0);
    int inside = 0;
    for (int i = 0; i < pb.length; i++) {
      assertEquals(pb[i] > 0.5f ? 1f : 0f, mask[i], "pixel " + i);
      inside += (int) mask[i];
    }
    assertTrue(inside > 0 && inside < pb.length, inside + " pixels");
  }

  /**
   * A 30-minute VLA track (largest PSF sidelobe 27 %): 5 Jy at the centre, 0.25 and 0.1 Jy where its sidelobes
   * fall, noise of ~0.3 mJy/beam, cleaned to 0.6 mJy (about 2 sigma). Without a mask the minor cycle also takes
   * noise and sidelobe peaks (model flux away from the sources); with tclean's default sidelobethreshold 3 the
   * first mask (above 3 × 0.27 × 5 Jy) is smaller than minbeamfrac of a beam and is pruned, so the run stops with
   * an empty mask (code 7), as tclean does on such a PSF; with sidelobethreshold 2 auto-multithresh masks the
   * sources only and the restored peaks are the known fluxes.
   */
  @Test
  void autoMultiThreshRecoversKnownFluxesWhereAnUnmaskedCleanSpreadsFlux() {
    double[][] sky = {{0, 0, 5.0}, {-17, 9, 0.25}, {21, -13, 0.1}};
    Path snap = tmp.resolve("snapshot.ms");
    MsSimulator.simulate(snap, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SNAP", SkySimulation.RA, SkySimulation.DEC, 2, SkySimulation.FREQ0, 8e6,
            "RR LL", -0.25, 0.25, 60, 60000, 0.06, 5),
        java.util.Arrays.stream(sky).map(s -> new MsSimulator.PointSource(-s[0] * CELL, s[1] * CELL, s[2], 0))
            .toList());
    String[] names = {"snap-nomask", "snap-auto", "snap-auto-default"};
    StopReason[] stops = new StopReason[names.length];
    for (int k = 0; k < names.length; k++) {
      TcleanParams.Builder b = base(snap, names[k]).imsize(256, 256).niter(20000).threshold(6e-4).cycleniter(500);
      if (k > 0) {
        b.usemask(UseMask.AUTO_MULTITHRESH).sidelobethreshold(k == 1 ? 2.0 : 3.0);
      }
      stops[k] = SerialImager.run(b.build()).planes().get(0).stop();
    }
    assertEquals(StopReason.ZERO_MASK, stops[2], "tclean's default sidelobethreshold on a 27 % sidelobe PSF");
    assertEquals(StopReason.THRESHOLD, stops[1]);
    double[] outside = new double[2];
    double[][] flux = new double[2][sky.length];
    for (int k = 0; k < 2; k++) {
      String img = tmp.resolve(names[k]).toString();
      float[] model = plane(img, OutputNames.Product.MODEL, -1, 0);
      float[] image = plane(img, OutputNames.Product.IMAGE, -1, 0);
      for (int i = 0; i < model.length; i++) {
        boolean near = false;
        for (double[] s : sky) {
          near |= Math.hypot(i % 256 - (128 + s[0]), i / 256 - (128 + s[1])) <= 2;
        }
        if (!near) {
          outside[k] += Math.abs(model[i]);
        }
      }
      for (int j = 0; j < sky.length; j++) {
        flux[k][j] = image[(128 + (int) sky[j][1]) * 256 + 128 + (int) sky[j][0]];
      }
      System.out.printf(Locale.ROOT, "%s: |model| away from the sources %.4f Jy; restored %.5f %.5f %.5f Jy%n",
          names[k], outside[k], flux[k][0], flux[k][1], flux[k][2]);
    }
    assertTrue(outside[0] > 0.01, "unmasked clean spreads flux: " + outside[0]);
    assertTrue(outside[1] < 0.1 * outside[0], "auto-multithresh keeps the model on the sources: " + outside[1]);
    for (int j = 0; j < sky.length; j++) {
      assertEquals(sky[j][2], flux[1][j], 0.01 * sky[j][2], "auto-multithresh flux of source " + j);
    }
  }

  /**
   * Three channels at 1.0, 1.5 and 2.0 GHz: source A (spectral index -12) fades from 1 Jy to 0.24 mJy while B
   * (+12) grows from 0.24 mJy to 1 Jy. auto-multithresh masks each channel on its own residual: A in channel 0
   * only, B in channel 2 only.
   */
  @Test
  void cubeMasksFollowEachChannelsSky() {
    Path cube = tmp.resolve("cube.ms");
    int[] a = {-20, 10};
    int[] b = {25, -15};
    MsSimulator.simulate(cube, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("CUBE", SkySimulation.RA, SkySimulation.DEC, 3, 1.0e9, 0.5e9, "RR LL", -0.5, 0.5,
            120, 60000, 0.0, 3),
        List.of(new MsSimulator.PointSource(-a[0] * CELL, a[1] * CELL, 1.0, -12),
            new MsSimulator.PointSource(-b[0] * CELL, b[1] * CELL, Math.pow(2, -12), 12)));
    TcleanParams p = base(cube, "cube-auto").specmode(TcleanParams.SpecMode.CUBE).niter(300).threshold(1e-3)
        .usemask(UseMask.AUTO_MULTITHRESH).build();
    SerialImager.run(p);
    int ia = (N / 2 + a[1]) * N + N / 2 + a[0];
    int ib = (N / 2 + b[1]) * N + N / 2 + b[0];
    float[] m0 = plane(p.imagename(), OutputNames.Product.MASK, -1, 0);
    float[] m2 = plane(p.imagename(), OutputNames.Product.MASK, -1, 2);
    assertEquals(1f, m0[ia], "A masked in channel 0");
    assertEquals(0f, m0[ib], "B not masked in channel 0");
    assertEquals(0f, m2[ia], "A not masked in channel 2");
    assertEquals(1f, m2[ib], "B masked in channel 2");
    float[] model2 = plane(p.imagename(), OutputNames.Product.MODEL, -1, 2);
    assertEquals(0f, model2[ia], "no channel-2 component on A");
  }
}
