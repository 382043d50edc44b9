package org.pclean.casacore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.pclean.casacore.jni.PcleanNative;

/**
 * A correlator emulator: the observation {@link MsSimulator} would write — the same integrations, baselines,
 * UVW (casacore's ITRF → J2000 baseline conversion), shadowing and elevation flags, and the same predicted sky
 * with the same noise — produced one dump at a time with no MeasurementSet, for a live stream.
 *
 * <p>Dumps come in time order ({@link #next}); each holds one row per baseline ant1 &lt; ant2, in the array
 * layouts of {@link MeasurementSet} (row outermost). Not thread-safe: one emulator per stream.
 */
public final class CorrelatorEmulator implements AutoCloseable {
  /** The elevation below which an antenna's rows are flagged; 0°, as {@link MsSimulator} observes. */
  private static final double ELEVATION_LIMIT_DEG = 0.0;

  /**
   * One integration: TIME (MJD seconds, its centre), and per row uvw (metres, MS convention), antennas,
   * visibilities, flags (1 = flagged) and weights ({@code [row * ncorr + corr]}).
   */
  public record Dump(int index, double time, int nrow, double[] uvw, int[] antenna1, int[] antenna2, float[] vis,
      byte[] flags, float[] weights) {}

  private final PcleanNative.CorrelatorEmulator emulator;
  private final AntennaArray array;
  private final MsSimulator.Observation obs;
  private final List<CorrelationType> correlations;
  private final double[] freq;
  private final int nbl;

  private CorrelatorEmulator(PcleanNative.CorrelatorEmulator emulator, AntennaArray array,
      MsSimulator.Observation obs) {
    this.emulator = emulator;
    this.array = array;
    this.obs = obs;
    int[] codes = new int[emulator.numCorrelations()];
    emulator.correlationTypes(codes);
    this.correlations = Arrays.stream(codes).mapToObj(CorrelationType::fromCode).toList();
    this.freq = new double[obs.nchan()];
    for (int i = 0; i < freq.length; i++) {
      freq[i] = obs.freq0() + i * obs.dfreq();
    }
    this.nbl = emulator.numBaselines();
  }

  /** An emulator of {@code array} observing {@code sky} as {@code obs} says (spectral indices refer to freq0). */
  public static CorrelatorEmulator open(AntennaArray array, MsSimulator.Observation obs,
      List<MsSimulator.PointSource> sky) {
    MsSimulator.checkCorrelations(obs.stokes());
    double[] xyz = MsSimulator.positions(array);
    MsSimulator.Sky k = MsSimulator.Sky.of(sky);
    return NativeCall.casacore("cannot start the correlator emulator", () -> {
      var e = new PcleanNative.CorrelatorEmulator();
      try {
        e.setAntennas(array.telescope(), array.size(), xyz, array.diameters());
        e.setField(obs.ra(), obs.dec());
        e.setSpectralWindow(obs.nchan(), obs.freq0(), obs.dfreq(), obs.stokes());
        e.observe(obs.haStart(), obs.haStop(), obs.integration(), obs.refMjd(), ELEVATION_LIMIT_DEG);
        e.setSky(k.l(), k.m(), k.flux(), k.alpha(), k.l().length, obs.freq0(), obs.noiseJy(), obs.seed());
        return new CorrelatorEmulator(e, array, obs);
      } catch (RuntimeException ex) {
        e.close();
        throw ex;
      }
    });
  }

  public int numDumps() {
    return emulator.numDumps();
  }

  public int numBaselines() {
    return nbl;
  }

  /** TIME of dump {@code i}: its integration's centre, MJD seconds. */
  public double dumpTime(int i) {
    return NativeCall.call("dump time", () -> emulator.dumpTime(i));
  }

  public double integration() {
    return obs.integration();
  }

  public List<CorrelationType> correlations() {
    return correlations;
  }

  /** Channel centres, Hz. */
  public double[] channelFrequencies() {
    return freq.clone();
  }

  /** Computes the next dump; throws once all {@link #numDumps} are out. */
  public Dump next() {
    int ncorr = correlations.size();
    int cells = nbl * freq.length * ncorr;
    double[] uvw = new double[3 * nbl];
    int[] a1 = new int[nbl];
    int[] a2 = new int[nbl];
    float[] vis = new float[2 * cells];
    byte[] flags = new byte[cells];
    float[] weights = new float[nbl * ncorr];
    int index = NativeCall.casacore("cannot emulate the next dump",
        () -> emulator.nextDump(uvw, a1, a2, vis, flags, weights));
    return new Dump(index, dumpTime(index), nbl, uvw, a1, a2, vis, flags, weights);
  }

  /**
   * What the MS {@link MsSimulator} writes for the same observation would report: antennas, the field, one
   * spectral window and polarization, DATA only.
   */
  public MsMetadata metadata() {
    List<MsMetadata.Antenna> ants = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      ants.add(new MsMetadata.Antenna(i, array.names().get(i), array.names().get(i), array.positions().get(i).clone(),
          array.diameters()[i]));
    }
    double[] widths = new double[freq.length];
    Arrays.fill(widths, Math.abs(obs.dfreq()));
    var spw = new MsMetadata.SpectralWindow(0, MsSimulator.SPECTRAL_WINDOW, freq.clone(), widths, freq[0]);
    double[] range = {dumpTime(0), dumpTime(numDumps() - 1)};
    double[] radec = new double[2];
    NativeCall.casacoreRun("phase centre", () -> emulator.phaseCentre(radec));
    return new MsMetadata(array.telescope(), (long) numDumps() * nbl, range,
        List.of(ants.toArray(MsMetadata.Antenna[]::new)),
        List.of(new MsMetadata.Field(0, obs.fieldName(), radec[0], radec[1])), List.of(spw),
        List.of(new MsMetadata.Polarization(0, correlations)), List.of(new MsMetadata.DataDescription(0, 0, 0)),
        List.of(DataColumn.DATA), false);
  }

  @Override
  public void close() {
    emulator.close();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "correlator emulator of %d antennas (%s), %d dumps of %.0f s, %d channels",
        array.size(), array.telescope(), numDumps(), obs.integration(), freq.length);
  }
}
