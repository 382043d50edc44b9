package org.pclean.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.pclean.bus.Topics;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.MsSimulator;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pclean simulate}: a VLA-like array observing known point sources — written as a real MS (plus the truth
 * as JSON), or with {@code --stream} published live onto the bus by a correlator emulator, dump by dump, with no
 * MS at all (the same rows and visibilities).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {"Write a MeasurementSet observing a known sky of point sources (and <out>.sky.json with the truth),",
        "or with --stream publish the observation live onto pclean.vis.<dataset> as a correlator would, no MS."})
public final class SimulateCommand implements Callable<Integer> {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  @Option(names = "--out", description = "MS to create (must not exist); not with --stream")
  Path out;

  @Option(names = "--stream", description = "publish live onto the bus (correlator emulator) instead of writing an MS")
  boolean stream;

  @Option(names = "--dataset", description = "with --stream: dataset name (topic pclean.vis.<dataset>)")
  String dataset;

  @Option(names = "--rate", defaultValue = "realtime",
      description = "with --stream: realtime (the observation's cadence), max or a factor, e.g. 20 (default ${DEFAULT-VALUE})")
  String rate;

  @Option(names = {"--scheduler-address", "--bootstrap-servers"}, description = "with --stream: the Kafka cluster")
  String bootstrap;

  @Option(names = "--truth", description = "where to write the sky as JSON (default <out>.sky.json; none with --stream)")
  Path truthPath;

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
    checkTarget();
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
    return stream ? stream(array, obs, sky, radec, f0) : write(array, obs, sky, radec, f0);
  }

  /** Refuses a bad combination of --out/--stream before anything is written or published. */
  private void checkTarget() {
    if (stream) {
      if (out != null) {
        throw new IllegalArgumentException("--out and --stream exclude each other: --stream publishes with no MS");
      }
      if (dataset == null || bootstrap == null) {
        throw new IllegalArgumentException("--stream needs --dataset and --scheduler-address");
      }
      Topics.requireDatasetName(dataset);
    } else {
      if (out == null) {
        throw new IllegalArgumentException("--out is required (or --stream to publish live with no MS)");
      }
      if (Files.exists(out)) {
        throw new IllegalArgumentException("--out " + out + " exists; pclean simulate does not overwrite");
      }
    }
    if (truthPath != null && Files.exists(truthPath)) {
      throw new IllegalArgumentException("--truth " + truthPath + " exists; pclean simulate does not overwrite");
    }
  }

  private int write(AntennaArray array, MsSimulator.Observation obs, List<MsSimulator.PointSource> sky,
      double[] radec, double f0) throws Exception {
    long t0 = System.nanoTime();
    long rows = MsSimulator.simulate(out, array, obs, sky);
    double secs = (System.nanoTime() - t0) / 1e9;
    Path truth = writeTruth(truthPath != null ? truthPath : Path.of(out + ".sky.json"), sky, radec, f0);
    System.out.printf("simulated %s: %d rows, %d antennas (VLA %s), %d channels, %d sources in %.1f s; truth in %s%n",
        out, rows, array.size(), config.toUpperCase(), nchan, sky.size(), secs, truth);
    return 0;
  }

  private int stream(AntennaArray array, MsSimulator.Observation obs, List<MsSimulator.PointSource> sky,
      double[] radec, double f0) throws Exception {
    double speed = StreamCommand.speed(rate);
    var settings = new StreamPublisher.Settings(dataset, speed);
    Properties client = PClean.client(bootstrap);
    if (truthPath != null) {
      writeTruth(truthPath, sky, radec, f0);
    }
    System.out.printf(Locale.ROOT,
        "emulating VLA %s (%d antennas) observing %d sources for %.2f h as dataset %s at %s%n",
        config.toUpperCase(), array.size(), sky.size(), hours, dataset, StreamCommand.pace(speed));
    StreamPublisher.Summary s = PClean.simulateStream(array, obs, sky, settings, client);
    System.out.println(StreamCommand.summary(s) + (truthPath != null ? "; truth in " + truthPath : ""));
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
  private Path writeTruth(Path truth, List<MsSimulator.PointSource> sky, double[] radec, double refFreq)
      throws Exception {
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
    if (out != null) {
      doc.put("ms", out.toAbsolutePath().toString());
    } else {
      doc.put("dataset", dataset);
    }
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
