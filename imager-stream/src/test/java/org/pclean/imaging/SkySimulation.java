package org.pclean.imaging;

import java.nio.file.Path;
import java.util.List;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.MsSimulator;

/** Simulated VLA observations with sources on pixel centres of a 3-arcsec grid (truth for the engine tests). */
final class SkySimulation {
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final double CELL = 3 * ARCSEC;
  static final double RA = Math.toRadians(150);
  static final double DEC = Math.toRadians(40);
  static final double FREQ0 = 1.4e9;

  /** A source at pixel offset (dx, dy) from the centre: l = -dx·cell (RA increases to the left), m = dy·cell. */
  record Source(int dx, int dy, double flux, double alpha) {
    MsSimulator.PointSource point() {
      return new MsSimulator.PointSource(-dx * CELL, dy * CELL, flux, alpha);
    }
  }

  static final List<Source> SKY = List.of(
      new Source(-20, 10, 1.0, -0.7), new Source(30, 15, 0.5, 0.0), new Source(10, -40, 0.25, 0.5));

  private SkySimulation() {}

  static Path simulate(Path dir, String name, int nchan, double dfreq, double hours, double noise) {
    Path ms = dir.resolve(name);
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", RA, DEC, nchan, FREQ0, dfreq, "RR LL", -hours / 2, hours / 2, 120, 60000,
            noise, 11),
        SKY.stream().map(Source::point).toList());
    return ms;
  }

  /** The relative rms of DATA - MODEL_DATA over the MS's first nchan channels: how well a saved model predicts. */
  static double modelMisfit(Path ms, int nchan) {
    try (org.pclean.casacore.MeasurementSet m = org.pclean.casacore.MeasurementSet.open(ms)) {
      int rows = (int) m.numRows();
      float[] data = m.readVisibilities(org.pclean.casacore.DataColumn.DATA, 0, rows, 0, nchan);
      float[] model = m.readVisibilities(org.pclean.casacore.DataColumn.MODEL, 0, rows, 0, nchan);
      double diff = 0;
      double sig = 0;
      for (int i = 0; i < data.length; i++) {
        diff += Math.pow(data[i] - model[i], 2);
        sig += data[i] * data[i];
      }
      return Math.sqrt(diff / sig);
    }
  }
}
