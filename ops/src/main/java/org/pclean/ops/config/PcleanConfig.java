package org.pclean.ops.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.params.MaskParams;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.AntennaSelection;
import org.pclean.ingest.source.RowSelection;
import org.pclean.ingest.source.ScanSelection;
import org.pclean.ingest.source.TimeRanges;
import org.pclean.ingest.source.UvRange;
import org.pclean.ops.cli.Quantities;
import org.pclean.ops.parallel.ParallelRunner;

/**
 * A run's configuration in pclean's layout, merged from layers, with where each value came from, turned into
 * {@link TcleanParams} and {@link ParallelRunner.Settings}.
 *
 * <p>Layer order, lowest first: built-in defaults ({@link ConfigKeys}) &lt; presets in the order given &lt;
 * {@code --pconfig} files in the order given &lt; the Java API ({@link Builder#set}) &lt; CLI flags the user typed.
 * A key set in a layer always replaces the lower layers' value, even when it equals the default.
 *
 * <p>How this differs from pclean (r-xue/pclean b551b76), on purpose: pclean merges each layer with
 * {@code exclude_defaults=True}, so a later layer cannot set a value back to its default ({@code --niter 0} cannot
 * override a file's 1000), and its CLI puts presets above the file ({@code --pconfig} &lt; presets &lt; CLI). Here
 * files beat presets and an explicit value always wins. Unknown keys are errors (pclean ignores them); keys pclean
 * has and this engine lacks are refused unless left at their default; pclean's duplicated keys (image/deconvolution
 * nterms, grid/normalization pblimit, normalization/misc psfcutoff) are one parameter whose value comes from the
 * highest layer that set either.
 */
public final class PcleanConfig {
  private final List<Layer> layers;
  private final Map<ConfigKey, Object> values = new LinkedHashMap<>();
  private final Map<ConfigKey, Integer> setBy = new HashMap<>();
  private final Set<ConfigKey> consumed = new HashSet<>();

  private PcleanConfig(List<Layer> layers) {
    this.layers = List.copyOf(layers);
    for (int i = 0; i < layers.size(); i++) {
      for (Map.Entry<ConfigKey, Object> e : layers.get(i).values().entrySet()) {
        values.put(e.getKey(), e.getValue());
        setBy.put(e.getKey(), i);
      }
    }
  }

  /** The built-in defaults as a layer. */
  public static Layer defaults() {
    Map<ConfigKey, Object> d = new LinkedHashMap<>();
    for (ConfigKey k : ConfigKeys.all()) {
      d.put(k, k.defaultValue());
    }
    return new Layer("default", d, Map.of());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects layers; {@link #resolve()} orders them (defaults, presets, files, API, CLI) and merges. */
  public static final class Builder {
    private final List<Layer> presets = new ArrayList<>();
    private final List<Layer> files = new ArrayList<>();
    private final Map<String, Object> api = new LinkedHashMap<>();
    private Layer cli;

    public Builder preset(String name) {
      presets.add(Presets.load(name));
      return this;
    }

    public Builder file(Path yaml) {
      files.add(YamlConfig.read(yaml));
      return this;
    }

    /** A file layer already read (e.g. YAML text with its own origin). */
    public Builder file(Layer yaml) {
      files.add(yaml);
      return this;
    }

    /** Sets a key from Java ({@code "iteration.niter", 1000}); coerced and checked when resolved. */
    public Builder set(String key, Object value) {
      api.put(key, value);
      return this;
    }

    /** The flags the user typed (see {@code CliLayer}). */
    public Builder cli(Layer typed) {
      cli = typed;
      return this;
    }

    public PcleanConfig resolve() {
      List<Layer> all = new ArrayList<>();
      all.add(defaults());
      all.addAll(presets);
      all.addAll(files);
      if (!api.isEmpty()) {
        all.add(Layer.of("api", api));
      }
      if (cli != null) {
        all.add(cli);
      }
      return new PcleanConfig(all);
    }
  }

  public List<Layer> layers() {
    return layers;
  }

  public Object value(String key) {
    return values.get(ConfigKeys.get(key));
  }

  /** Whether key holds a value: not null, not blank, not pclean's empty per-MS list ([] or ['']). */
  public boolean isSet(String key) {
    return present(value(key));
  }

  private static boolean present(Object v) {
    return v instanceof List<?> l ? l.stream().anyMatch(PcleanConfig::present) : v != null && !v.toString().isBlank();
  }

  /** The layer a key's value came from: "default", "preset:vlass", "file:/x/run.yaml", "api" or "cli". */
  public String origin(String key) {
    return layers.get(setBy.get(ConfigKeys.get(key))).origin();
  }

  /** The merged configuration as full YAML in pclean's layout (what --dump-config writes). */
  public String toYaml() {
    List<String> names = layers.stream().map(Layer::origin).toList();
    return YamlConfig.write(values, "pclean-java configuration, merged from: " + String.join(" < ", names)
        + "\nevery key is written; read it back with --pconfig");
  }

  /**
   * One line per key, "name value &lt;- layer", and "[refused: reason]" after a refused key set away from its default
   * (what {@code pclean config show} prints).
   */
  public String show() {
    StringBuilder sb = new StringBuilder();
    for (ConfigKey k : ConfigKeys.all()) {
      Object v = values.get(k);
      sb.append(String.format(Locale.ROOT, "%-40s %-24s <- %s", k.fullName(), YamlConfig.flow(v), where(k)));
      if (k.refused() && !Objects.equals(v, k.defaultValue())) {
        sb.append("  [refused: ").append(k.target().text()).append(']');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private String where(ConfigKey k) {
    return layers.get(setBy.get(k)).where(k);
  }

  /** The validated imaging parameters: refused keys at their defaults, every value converted, the builder's checks. */
  public TcleanParams params() {
    checkRunnable();
    return paramsBuilder().build();
  }

  /**
   * Fails with one sentence when the configuration cannot run here: a refused key set away from its default (all
   * of them named), a SLURM cluster, a dataset without a cluster.
   */
  public void checkRunnable() {
    List<ConfigKey> refused = new ArrayList<>();
    for (ConfigKey k : ConfigKeys.all()) {
      if (k.refused() && !Objects.equals(values.get(k), k.defaultValue())) {
        refused.add(k);
      }
    }
    if (!refused.isEmpty()) {
      ConfigKey k = refused.get(0);
      String msg = k.fullName() + " = " + YamlConfig.flow(values.get(k)) + " (" + where(k) + ") is refused: "
          + k.target().text() + "; the default is " + YamlConfig.flow(k.defaultValue());
      if (refused.size() > 1) {
        msg += " (also refused: " + String.join(", ", refused.subList(1, refused.size()).stream()
            .map(ConfigKey::fullName).toList()) + ")";
      }
      throw new ConfigException(msg);
    }
    String type = (String) get("cluster.type");
    if (type.equals("slurm")) {
      throw new ConfigException("cluster.type = slurm (" + where(ConfigKeys.get("cluster.type")) + ") runs through"
          + " `pclean submit CONFIG.yaml` (workers as a SLURM job array); to run here, use cluster.type local or"
          + " address");
    }
    if (type.equals("address") && get("cluster.scheduler_address") == null) {
      throw new ConfigException("cluster.type address needs cluster.scheduler_address (--scheduler-address)");
    }
    String dataset = (String) get("selection.dataset");
    if (dataset != null && !dataset.isEmpty() && get("cluster.scheduler_address") == null) {
      throw new ConfigException("selection.dataset " + dataset + " is read from the bus: give"
          + " cluster.scheduler_address (--scheduler-address)");
    }
  }

  /** Every value converted to the builder (quantities parsed, names checked), without the run checks. */
  public TcleanParams.Builder paramsBuilder() {
    TcleanParams.Builder b = TcleanParams.builder();
    String vis = onePerMs("selection.vis");
    if (!vis.isEmpty()) {
      b.vis(Path.of(vis));
    }
    String dataset = (String) get("selection.dataset");
    if (dataset != null && !dataset.isEmpty()) {
      b.dataset(dataset);
    }
    String field = onePerMs("selection.field");
    if (!field.isBlank()) {
      b.field(convert("selection.field", () -> ids(field)));
    }
    String spw = onePerMs("selection.spw");
    if (!spw.isBlank()) {
      b.spwSelection(convert("selection.spw", () -> org.pclean.ingest.source.SpwChannels.parse(spw)));
    }
    String timerange = onePerMs("selection.timerange");
    if (!timerange.isBlank()) {
      b.timerange(convert("selection.timerange", () -> TimeRanges.parseCasa(timerange)));
    }
    String antenna = onePerMs("selection.antenna");
    String scan = onePerMs("selection.scan");
    String uvrange = onePerMs("selection.uvrange");
    b.rows(new RowSelection(convert("selection.antenna", () -> AntennaSelection.parse(antenna)),
        convert("selection.scan", () -> ScanSelection.parse(scan)),
        convert("selection.uvrange", () -> UvRange.parse(uvrange))));
    b.datacolumn(convert("selection.datacolumn", () -> DataColumn.parse((String) get("selection.datacolumn"))));

    String imagename = (String) get("image.imagename");
    if (!imagename.isEmpty()) {
      b.imagename(imagename);
    }
    String phasecenter = (String) get("image.phasecenter");
    if (!phasecenter.isBlank()) {
      double[] d = convert("image.phasecenter", () -> Quantities.directionJ2000(phasecenter));
      b.phasecenter(d[0], d[1]);
    }
    List<Integer> imsize = list("image.imsize");
    if (imsize.size() != 1 && imsize.size() != 2) {
      throw bad("image.imsize", "expected [n] or [nx, ny], got " + imsize.size() + " values");
    }
    b.imsize(imsize.get(0), imsize.get(imsize.size() - 1));
    List<String> cell = list("image.cell");
    if (cell.size() != 1 && cell.size() != 2) {
      throw bad("image.cell", "expected [c] or [cx, cy], got " + cell.size() + " values");
    }
    b.cell(convert("image.cell", () -> angle(cell.get(0), "arcsec")),
        convert("image.cell", () -> angle(cell.get(cell.size() - 1), "arcsec")));
    b.specmode(convert("image.specmode",
        () -> TcleanParams.parse(TcleanParams.SpecMode.class, "specmode", (String) get("image.specmode"))));
    b.nchan((Integer) get("image.nchan"));
    b.start(convert("image.start", () -> org.pclean.ingest.plan.SpectralAxis.Value.parse("start",
        (String) get("image.start")).text()));
    b.width(convert("image.width", () -> org.pclean.ingest.plan.SpectralAxis.Value.parse("width",
        (String) get("image.width")).text()));
    b.outframe((String) get("image.outframe"));
    b.veltype(convert("image.veltype", () -> TcleanParams.parse(org.pclean.ingest.plan.SpectralAxis.VelocityType.class,
        "veltype", (String) get("image.veltype"))));
    b.interpolation(convert("image.interpolation",
        () -> org.pclean.ingest.source.ChannelRegridder.Interpolation.parse((String) get("image.interpolation"))));
    List<String> restfreq = list("image.restfreq").stream().map(String.class::cast).filter(s -> !s.isBlank()).toList();
    if (restfreq.size() > 1) {
      throw bad("image.restfreq", "one rest frequency is implemented, got " + restfreq.size());
    }
    if (restfreq.size() == 1) {
      b.restfreq(convert("image.restfreq", () -> Quantities.frequencyHz(restfreq.get(0))));
    }
    b.nterms((Integer) oneParameter("image.nterms", "deconvolution.nterms"));

    b.gridder(convert("grid.gridder",
        () -> TcleanParams.parse(TcleanParams.GridderKind.class, "gridder", (String) get("grid.gridder"))));
    b.wprojplanes((Integer) get("grid.wprojplanes"));
    b.epsilon((Double) get("grid.epsilon"));
    b.pblimit((Double) oneParameter("grid.pblimit", "normalization.pblimit"));
    b.padding((Double) get("grid.padding"));

    b.weighting(convert("weight.weighting", () -> TcleanParams.WeightingMode.parse((String) get("weight.weighting"))));
    b.robust((Double) get("weight.robust"));
    b.noise(convert("weight.noise", () -> Quantities.fluxJy((String) get("weight.noise"))));
    b.npixels((Integer) get("weight.npixels"));
    Double fracbw = (Double) get("weight.fracbw");
    b.fracbw(fracbw == null ? 0 : fracbw);
    b.perchanweightdensity((Boolean) get("image.perchanweightdensity"));
    List<String> taper = list("weight.uvtaper").stream().map(String.class::cast).filter(s -> !s.isBlank()).toList();
    if (taper.size() > 1) {
      throw bad("weight.uvtaper", "one circular taper is implemented, got " + taper.size() + " values");
    }
    if (taper.size() == 1) {
      b.uvtaper(convert("weight.uvtaper", () -> Quantities.uvTaperFwhmRad(taper.get(0))));
    }

    b.deconvolver(convert("deconvolution.deconvolver",
        () -> TcleanParams.DeconvolverKind.parse((String) get("deconvolution.deconvolver"))));
    List<Integer> scales = list("deconvolution.scales");
    b.scales(scales.stream().mapToInt(Integer::intValue).toArray());
    b.smallscalebias((Double) get("deconvolution.smallscalebias"));
    List<String> beam = list("deconvolution.restoringbeam");
    if (beam.size() > 3) {
      throw bad("deconvolution.restoringbeam", "expected [major, minor, pa], got " + beam.size() + " values");
    }
    if (!beam.isEmpty()) {
      double arcsec = Math.toRadians(1.0 / 3600);
      double maj = convert("deconvolution.restoringbeam", () -> angle(beam.get(0), "arcsec")) / arcsec;
      double min = beam.size() > 1 ? convert("deconvolution.restoringbeam", () -> angle(beam.get(1), "arcsec")) / arcsec : maj;
      double pa = beam.size() > 2 ? Math.toDegrees(convert("deconvolution.restoringbeam", () -> angle(beam.get(2), "deg"))) : 0;
      b.restoringbeam(maj, min, pa);
    }
    b.pbcor((Boolean) get("deconvolution.pbcor"));
    b.usemask(convert("deconvolution.usemask",
        () -> MaskParams.UseMask.parse((String) get("deconvolution.usemask"))));
    Object mask = get("deconvolution.mask");
    List<String> masks = mask instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of((String) mask);
    b.mask(masks.stream().filter(s -> !s.isBlank()).toList());
    b.pbmask((Double) get("deconvolution.pbmask"));
    b.sidelobethreshold((Double) get("deconvolution.sidelobethreshold"));
    b.noisethreshold((Double) get("deconvolution.noisethreshold"));
    b.lownoisethreshold((Double) get("deconvolution.lownoisethreshold"));
    b.negativethreshold((Double) get("deconvolution.negativethreshold"));
    b.smoothfactor((Double) get("deconvolution.smoothfactor"));
    b.minbeamfrac((Double) get("deconvolution.minbeamfrac"));
    b.cutthreshold((Double) get("deconvolution.cutthreshold"));
    b.growiterations((Integer) get("deconvolution.growiterations"));
    b.dogrowprune((Boolean) get("deconvolution.dogrowprune"));
    b.minpercentchange((Double) get("deconvolution.minpercentchange"));
    b.fastnoise((Boolean) get("deconvolution.fastnoise"));

    b.niter((Integer) get("iteration.niter"));
    b.gain((Double) get("iteration.gain"));
    b.threshold(convert("iteration.threshold", () -> Quantities.fluxJy((String) get("iteration.threshold"))));
    b.nsigma((Double) get("iteration.nsigma"));
    b.cycleniter((Integer) get("iteration.cycleniter"));
    b.nmajor((Integer) get("iteration.nmajor"));
    b.cyclefactor((Double) get("iteration.cyclefactor"));
    b.minpsffraction((Double) get("iteration.minpsffraction"));
    b.maxpsffraction((Double) get("iteration.maxpsffraction"));

    b.psfcutoff((Double) oneParameter("normalization.psfcutoff", "misc.psfcutoff"));
    String savemodel = ((String) get("misc.savemodel")).trim().toLowerCase(Locale.ROOT);
    switch (savemodel) {
      case "none" -> b.savemodel(false);
      case "modelcolumn" -> b.savemodel(true);
      default -> throw bad("misc.savemodel", "expected none or modelcolumn");
    }
    b.fits((Boolean) get("misc.fits"));
    b.overwrite((Boolean) get("misc.overwrite"));
    b.restart((Boolean) get("misc.restart"));
    b.calcres((Boolean) get("misc.calcres"));
    b.calcpsf((Boolean) get("misc.calcpsf"));
    String startmodel = (String) get("image.startmodel");
    if (!startmodel.isBlank()) {
      b.startmodel(Path.of(startmodel));
    }
    int threads = (Integer) get("cluster.threads_per_worker");
    b.threads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
    return b;
  }

  /**
   * The per-worker memory limit (cluster.memory_limit) in bytes: the given size, or for 0 the machine's available
   * memory; empty when 0 and the machine does not say.
   */
  public java.util.OptionalLong memoryLimitBytes() {
    String text = (String) get("cluster.memory_limit");
    if (text == null || text.isBlank() || text.strip().equals("0")) {
      return MemorySize.availableBytes();
    }
    return java.util.OptionalLong.of(MemorySize.mib(text, "cluster.memory_limit") * 1024 * 1024);
  }

  /** Whether to run on Kafka workers (cluster.parallel). */
  public boolean parallel() {
    return (Boolean) get("cluster.parallel");
  }

  /** The Kafka bootstrap servers (cluster.scheduler_address), or null for an embedded broker. */
  public String schedulerAddress() {
    return (String) get("cluster.scheduler_address");
  }

  /**
   * The base Kafka client config of scheduler_address (with kafka_config and PCLEAN_KAFKA_*), or null without a
   * scheduler address (an embedded broker).
   */
  public java.util.Properties cluster() {
    String file = (String) get("cluster.kafka_config");
    return schedulerAddress() == null ? null
        : KafkaClientConfig.forCluster(schedulerAddress(), file == null ? null : java.nio.file.Path.of(file));
  }

  /** Channels per sub-cube of a parallel cube (cluster.cube_chunksize; -1: one sub-cube per worker). */
  public int cubeChunksize() {
    return (Integer) get("cluster.cube_chunksize");
  }

  /** Workers of a parallel run (cluster.nworkers; default 2). */
  public int nworkers() {
    Integer nworkers = (Integer) get("cluster.nworkers");
    return nworkers == null ? 2 : nworkers;
  }

  /** The cluster settings; a temporary directory is created when local_directory is null. */
  public ParallelRunner.Settings settings() throws IOException {
    int nworkers = nworkers();
    String dir = (String) get("cluster.local_directory");
    String concat = (String) get("cluster.concat_mode");
    Path local = dir != null ? Path.of(dir) : Files.createTempDirectory("pclean-work-");
    return new ParallelRunner.Settings(nworkers, (Integer) get("cluster.cube_chunksize"),
        schedulerAddress(), local, concat, (Boolean) get("cluster.keep_subcubes"),
        Duration.ofSeconds((Integer) get("cluster.timeout")), (Integer) get("cluster.row_chunks"),
        (Boolean) get("cluster.keep_partimages"), (Boolean) get("cluster.subcubes_on_bus"),
        Duration.ofSeconds((Integer) get("cluster.stall_timeout")));
  }

  /** Keys read by the conversions so far (a test checks every param/cluster key is read). */
  Set<ConfigKey> consumed() {
    return Set.copyOf(consumed);
  }

  private Object get(String key) {
    ConfigKey k = ConfigKeys.get(key);
    consumed.add(k);
    return values.get(k);
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> list(String key) {
    return (List<T>) get(key);
  }

  /** pclean's list form of a selection key holds one value per MS; one MS per run here. */
  private String onePerMs(String key) {
    Object v = get(key);
    if (v instanceof List<?> l) {
      if (l.size() > 1) {
        throw bad(key, "pclean-java images one MS per run (one value per MS), got " + l.size() + " values");
      }
      return l.isEmpty() ? "" : (String) l.get(0);
    }
    return (String) v;
  }

  /** A parameter pclean keeps twice: the copy set in the higher layer; the same layer setting both differently is an error. */
  private Object oneParameter(String a, String b) {
    Object va = get(a);
    Object vb = get(b);
    int ra = setBy.get(ConfigKeys.get(a));
    int rb = setBy.get(ConfigKeys.get(b));
    if (ra == rb && !Objects.equals(va, vb)) {
      throw new ConfigException(a + " = " + YamlConfig.flow(va) + " and " + b + " = " + YamlConfig.flow(vb) + " ("
          + layers.get(ra).origin() + ") differ: pclean-java has one " + a.substring(a.indexOf('.') + 1)
          + "; set them equal");
    }
    return ra >= rb ? va : vb;
  }

  private <T> T convert(String key, Supplier<T> f) {
    try {
      return f.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw bad(key, e.getMessage());
    }
  }

  private ConfigException bad(String key, String problem) {
    ConfigKey k = ConfigKeys.get(key);
    return new ConfigException(key + " = " + YamlConfig.flow(values.get(k)) + " (" + where(k) + "): " + problem);
  }

  /** tclean reads a bare number in cell/restoringbeam as arcsec (pa: deg). */
  private static double angle(String s, String bareUnit) {
    String t = s.trim();
    return Quantities.angleRad(t.matches("[-+0-9.eE]+") ? t + bareUnit : t);
  }

  private static int[] ids(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String t : csv.split(",")) {
      try {
        out.add(Integer.parseInt(t.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("field names are not implemented: give field ids such as 0,2"
            + " (pclean listobs lists them)");
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
