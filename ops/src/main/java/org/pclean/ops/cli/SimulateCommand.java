package org.pclean.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.MsSimulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pclean simulate}: a real MS of a VLA-like array observing known point sources, plus the truth as JSON. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Write a MeasurementSet observing a known sky of point sources (and <out>.sky.json with the truth).")
public final class SimulateCommand implements Callable<Integer> {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  @Option(names = "--out", required = true, description = "MS to create (must not exist)")
  Path out;

  @Option(names = "--array-config", defaultValue = "C", description = "VLA configuration A|B|C|D (default ${DEFAULT-VALUE})")
  String config;

  @Option(names = "--hours", defaultValue = "1.0", description = "observation length, centred on transit (default ${DEFAULT-VALUE})")
  double hours;

  @Option(names = "--integration", defaultValue = "60", description = "seconds per integration (default ${DEFAULT-VALUE})")
  double integration;

  @Option(names = "--nchan", defaultValue = "8", description = "channels (default ${DEFAULT-VALUE})")
  int nchan;

  @Option(names = "--freq", defaultValue = "1.4GHz", description = "first channel centre (default ${DEFAULT-VALUE})")
  String freq;

  @Option(names = "--chanwidth", defaultValue = "8MHz", description = "channel width (default ${DEFAULT-VALUE})")
  String chanwidth;

  @Option(names = "--stokes", defaultValue = "RR LL", description = "correlations (default '${DEFAULT-VALUE}')")
  String stokes;

  @Option(names = "--phasecenter", defaultValue = "J2000 10:00:00 +40.00.00", description = "default '${DEFAULT-VALUE}'")
  String phasecenter;

  @Option(names = "--noise", defaultValue = "0", description = "Gaussian noise rms per visibility part, Jy (default ${DEFAULT-VALUE})")
  double noise;

  @Option(names = "--seed", defaultValue = "1", description = "noise seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--mjd", defaultValue = "60000", description = "observation day, MJD (default ${DEFAULT-VALUE})")
  double mjd;

  @Option(names = "--source", paramLabel = "L,M,FLUX[,ALPHA]",
      description = "point source: offsets east (l) and north (m) in arcsec, flux in Jy at the first channel,"
          + " spectral index (repeatable; default: three sources)")
  List<String> sources = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out)) {
      throw new IllegalArgumentException("--out " + out + " exists; pclean simulate does not overwrite");
    }
    if (nchan < 1) {
      throw new IllegalArgumentException("--nchan must be >= 1, got " + nchan);
    }
    if (!(hours > 0) || !(integration > 0)) {
      throw new IllegalArgumentException("--hours and --integration must be positive");
    }
    if (noise < 0) {
      throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
    }
    double[] radec = Quantities.directionJ2000(phasecenter);
    double f0 = Quantities.frequencyHz(freq);
    double df = Quantities.frequencyHz(chanwidth);
    List<MsSimulator.PointSource> sky = parseSky();
    AntennaArray array = AntennaArray.vlaLike(AntennaArray.vlaArmLength(config));
    var obs = new MsSimulator.Observation("SIM", radec[0], radec[1], nchan, f0, df, stokes,
        -hours / 2, hours / 2, integration, mjd, noise, seed);
    long t0 = System.nanoTime();
    long rows = MsSimulator.simulate(out, array, obs, sky);
    double secs = (System.nanoTime() - t0) / 1e9;
    Path truth = writeTruth(sky, radec, f0);
    System.out.printf("simulated %s: %d rows, %d antennas (VLA %s), %d channels, %d sources in %.1f s; truth in %s%n",
        out, rows, array.size(), config.toUpperCase(), nchan, sky.size(), secs, truth);
    return 0;
  }

  private List<MsSimulator.PointSource> parseSky() {
    List<String> specs = sources.isEmpty() ? List.of("60,30,1.0,-0.7", "-90,45,0.5,0", "30,-120,0.25,0.5") : sources;
    List<MsSimulator.PointSource> sky = new ArrayList<>();
    for (String s : specs) {
      String[] p = s.split(",");
      if (p.length < 3 || p.length > 4) {
        throw new IllegalArgumentException("bad --source '" + s + "': expected L,M,FLUX[,ALPHA] (arcsec, arcsec, Jy)");
      }
      try {
        sky.add(new MsSimulator.PointSource(Double.parseDouble(p[0]) * ARCSEC, Double.parseDouble(p[1]) * ARCSEC,
            Double.parseDouble(p[2]), p.length == 4 ? Double.parseDouble(p[3]) : 0.0));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad --source '" + s + "': " + e.getMessage());
      }
    }
    return sky;
  }

  /** The truth next to the MS: each source's (l, m) and its J2000 position by the inverse SIN projection. */
  private Path writeTruth(List<MsSimulator.PointSource> sky, double[] radec, double refFreq) throws Exception {
    Path truth = Path.of(out.toString() + ".sky.json");
    List<Map<String, Object>> list = new ArrayList<>();
    for (MsSimulator.PointSource s : sky) {
      double n = Math.sqrt(1 - s.l() * s.l() - s.m() * s.m());
      double dec = Math.asin(s.m() * Math.cos(radec[1]) + n * Math.sin(radec[1]));
      double ra = radec[0] + Math.atan2(s.l(), n * Math.cos(radec[1]) - s.m() * Math.sin(radec[1]));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("l_arcsec", s.l() / ARCSEC);
      m.put("m_arcsec", s.m() / ARCSEC);
      m.put("ra_rad", ra);
      m.put("dec_rad", dec);
      m.put("flux_jy", s.fluxJy());
      m.put("spectral_index", s.spectralIndex());
      list.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("ms", out.toAbsolutePath().toString());
    doc.put("phase_centre_ra_rad", radec[0]);
    doc.put("phase_centre_dec_rad", radec[1]);
    doc.put("reference_frequency_hz", refFreq);
    doc.put("noise_jy", noise);
    doc.put("array", "VLA-like " + config.toUpperCase());
    doc.put("convention", "V = sum S (nu/nu0)^alpha exp(-2 pi i (u l + v m + w (n-1)) nu/c); l east, m north");
    doc.put("sources", list);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(truth.toFile(), doc);
    return truth;
  }
}
