package org.pclean.casacore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a real MeasurementSet (casacore's NewMSSimulator: every required subtable) observing a known sky of
 * point sources, predicted by a direct Fourier sum with the w-term:
 * {@code V = Σ S (ν/ν0)^α exp(+2πi (u l + v m + w (n - 1)) ν / c)}, with uvw as stored in the MS
 * ({@code x(ant2) - x(ant1)}, as casacore computes it). This is the pairing CASA and WSClean image real data
 * with: WSClean places the simulated sources at their true positions (see the ops oracle test).
 * Parallel hands carry Stokes I (so I = (XX+YY)/2 = S), cross hands zero, plus Gaussian noise.
 */
public final class MsSimulator {

  /**
   * A point source at direction cosines (l, m) from the phase centre: l toward east (increasing RA), m toward
   * north, radians. Flux in Jy at the reference frequency.
   */
  public record PointSource(double l, double m, double fluxJy, double spectralIndex) {}

  /**
   * One observation of one field in one spectral window.
   *
   * @param ra phase centre, J2000 radians
   * @param dec phase centre, J2000 radians
   * @param freq0 first channel centre, Hz
   * @param dfreq channel increment, Hz
   * @param stokes correlations, e.g. "RR LL" or "XX XY YX YY"
   * @param haStart hour angle at start, hours
   * @param haStop hour angle at end, hours
   * @param integration seconds per row
   * @param refMjd day of the observation, MJD (UTC)
   * @param noiseJy rms of the Gaussian noise added to real and imaginary parts (0 for none)
   * @param seed noise seed
   */
  public record Observation(String fieldName, double ra, double dec, int nchan, double freq0, double dfreq,
      String stokes, double haStart, double haStop, double integration, double refMjd, double noiseJy, long seed) {}

  /** The name of the one spectral window simulated. */
  public static final String SPECTRAL_WINDOW = "SPW0";

  private MsSimulator() {}

  /**
   * Simulates into a new MS at {@code out} (which must not exist) and returns its number of rows.
   * The reference frequency of the spectral indices is the first channel's.
   */
  public static long simulate(Path out, AntennaArray array, Observation obs, List<PointSource> sky) {
    if (Files.exists(out)) {
      throw new CasacoreException("cannot simulate into " + out + ": it exists");
    }
    checkCorrelations(obs.stokes());
    Sky k = Sky.of(sky);
    try {
      return predict(out, array, obs, k);
    } catch (RuntimeException e) {
      TableDirectories.delete(out);  // never leave a half-written MS that looks complete
      throw e;
    }
  }

  private static long predict(Path out, AntennaArray array, Observation obs, Sky sky) {
    int n = array.size();
    double[] xyz = positions(array);
    return NativeCall.casacore("cannot simulate MeasurementSet " + out, () -> {
      try (var sim = new org.pclean.casacore.jni.PcleanNative.MsSimulator(out.toString())) {
        sim.setAntennas(array.telescope(), n, xyz, array.diameters(), String.join("\n", array.names()));
        sim.setField(obs.fieldName(), obs.ra(), obs.dec());
        sim.setSpectralWindow(SPECTRAL_WINDOW, obs.nchan(), obs.freq0(), obs.dfreq(), obs.stokes());
        sim.observe(obs.haStart(), obs.haStop(), obs.integration(), obs.refMjd());
        sim.predictPointSources(sky.l(), sky.m(), sky.flux(), sky.alpha(), sky.l().length, obs.freq0(), obs.noiseJy(),
            obs.seed());
        long rows = sim.numRows();
        sim._close();
        return rows;
      }
    });
  }

  /** Antenna positions as the facade takes them: xyz[ant * 3 + k], ITRF metres. */
  static double[] positions(AntennaArray array) {
    int n = array.size();
    double[] xyz = new double[3 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(array.positions().get(i), 0, xyz, 3 * i, 3);
    }
    return xyz;
  }

  /** A sky as the facade takes it: one array per source property. */
  record Sky(double[] l, double[] m, double[] flux, double[] alpha) {
    static Sky of(List<PointSource> sky) {
      return new Sky(sky.stream().mapToDouble(PointSource::l).toArray(),
          sky.stream().mapToDouble(PointSource::m).toArray(), sky.stream().mapToDouble(PointSource::fluxJy).toArray(),
          sky.stream().mapToDouble(PointSource::spectralIndex).toArray());
    }
  }

  /** The correlations an interferometer records: RR RL LR LL or XX XY YX YY, not Stokes parameters. */
  static void checkCorrelations(String stokes) {
    for (String corr : stokes.trim().split("\\s+")) {
      CorrelationType t;
      try {
        t = CorrelationType.valueOf(corr.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown correlation '" + corr + "' in '" + stokes + "'");
      }
      if (t.code() < CorrelationType.RR.code()) {
        throw new IllegalArgumentException("'" + corr + "' is a Stokes parameter; simulate RR RL LR LL or XX XY YX YY");
      }
    }
  }

}
