package org.pclean.ops.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.pclean.ops.config.Layer;
import org.pclean.ops.config.PcleanConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The configuration flags of every command that takes imaging parameters (the imaging command, {@code replay},
 * {@code snapshot}, {@code bench image|replay}, {@code estimate-memory}, {@code config show}): presets and YAML
 * files below the flags the user typed. Only typed imaging flags form the CLI layer (picocli's matched options), so
 * a flag's default never hides a file's value, while a typed value equal to the default still wins; a command's own
 * flags (replay's --from, bench's --results) are not configuration.
 */
public final class ConfigOptions {
  @Option(names = "--preset", description = "a shipped preset (vlass, cube-default, continuum-mtmfs, alma-band6,"
      + " snapshot-realtime); repeatable, later ones win") List<String> presets;
  @Option(names = "--pconfig", description = "a pclean YAML config; repeatable, later files win, files beat presets")
  List<Path> files;
  @Option(names = "--dump-config", paramLabel = "PATH",
      description = "write the merged config as full YAML to PATH and exit without imaging") Path dumpConfig;

  /** Each imaging flag and the configuration keys it sets (--nterms, --pblimit, --psfcutoff set both copies). */
  static final Map<String, List<String>> OPTION_KEYS = new LinkedHashMap<>();

  static {
    key("--vis", "selection.vis");
    key("--dataset", "selection.dataset");
    key("--timerange", "selection.timerange");
    key("--antenna", "selection.antenna");
    key("--scan", "selection.scan");
    key("--uvrange", "selection.uvrange");
    key("--field", "selection.field");
    key("--spw", "selection.spw");
    key("--datacolumn", "selection.datacolumn");
    key("--imagename", "image.imagename");
    key("--specmode", "image.specmode");
    key("--imsize", "image.imsize");
    key("--cell", "image.cell");
    key("--phasecenter", "image.phasecenter");
    key("--nchan", "image.nchan");
    key("--start", "image.start");
    key("--width", "image.width");
    key("--restfreq", "image.restfreq");
    key("--veltype", "image.veltype");
    key("--outframe", "image.outframe");
    key("--interpolation", "image.interpolation");
    key("--nterms", "image.nterms", "deconvolution.nterms");
    key("--gridder", "grid.gridder");
    key("--wprojplanes", "grid.wprojplanes");
    key("--epsilon", "grid.epsilon");
    key("--padding", "grid.padding");
    key("--pblimit", "grid.pblimit", "normalization.pblimit");
    key("--weighting", "weight.weighting");
    key("--robust", "weight.robust");
    key("--uvtaper", "weight.uvtaper");
    key("--noise", "weight.noise");
    key("--npixels", "weight.npixels");
    key("--perchanweightdensity", "image.perchanweightdensity");
    key("--deconvolver", "deconvolution.deconvolver");
    key("--scales", "deconvolution.scales");
    key("--smallscalebias", "deconvolution.smallscalebias");
    key("--restoringbeam", "deconvolution.restoringbeam");
    key("--pbcor", "deconvolution.pbcor");
    key("--usemask", "deconvolution.usemask");
    key("--mask", "deconvolution.mask");
    key("--pbmask", "deconvolution.pbmask");
    key("--sidelobethreshold", "deconvolution.sidelobethreshold");
    key("--noisethreshold", "deconvolution.noisethreshold");
    key("--lownoisethreshold", "deconvolution.lownoisethreshold");
    key("--negativethreshold", "deconvolution.negativethreshold");
    key("--smoothfactor", "deconvolution.smoothfactor");
    key("--minbeamfrac", "deconvolution.minbeamfrac");
    key("--cutthreshold", "deconvolution.cutthreshold");
    key("--growiterations", "deconvolution.growiterations");
    key("--dogrowprune", "deconvolution.dogrowprune");
    key("--minpercentchange", "deconvolution.minpercentchange");
    key("--fastnoise", "deconvolution.fastnoise");
    key("--niter", "iteration.niter");
    key("--cycleniter", "iteration.cycleniter");
    key("--nmajor", "iteration.nmajor");
    key("--gain", "iteration.gain");
    key("--threshold", "iteration.threshold");
    key("--nsigma", "iteration.nsigma");
    key("--cyclefactor", "iteration.cyclefactor");
    key("--minpsffraction", "iteration.minpsffraction");
    key("--maxpsffraction", "iteration.maxpsffraction");
    key("--psfcutoff", "normalization.psfcutoff", "misc.psfcutoff");
    key("--savemodel", "misc.savemodel");
    key("--fits", "misc.fits");
    key("--overwrite", "misc.overwrite");
    key("--restart", "misc.restart");
    key("--startmodel", "image.startmodel");
    key("--calcres", "misc.calcres");
    key("--calcpsf", "misc.calcpsf");
    key("--threads", "cluster.threads_per_worker");
    key("--parallel", "cluster.parallel");
    key("--nworkers", "cluster.nworkers");
    key("--cube-chunksize", "cluster.cube_chunksize");
    key("--memory-limit", "cluster.memory_limit");
    key("--scheduler-address", "cluster.scheduler_address");
    key("--cluster-type", "cluster.type");
    key("--kafka-config", "cluster.kafka_config");
    key("--local-directory", "cluster.local_directory");
    key("--keep-subcubes", "cluster.keep_subcubes");
    key("--keep-partimages", "cluster.keep_partimages");
    key("--concat-mode", "cluster.concat_mode");
    key("--row-chunks", "cluster.row_chunks");
    key("--subcubes-on-bus", "cluster.subcubes_on_bus");
    key("--timeout", "cluster.timeout");
    key("--stall-timeout", "cluster.stall_timeout");
  }

  /** Options of a command that are not configuration values. */
  static final List<String> META = List.of("--preset", "--pconfig", "--dump-config", "--help", "--version",
      "--log-level", "--quiet", "--log-file", "--json", "--dashboard", "--http-port");

  /** Every name of an {@link ImagingOptions} flag: each must map to a key; other options are a command's own. */
  private static final Set<String> IMAGING = CommandSpec.forAnnotatedObject(new ImagingOptions())
      .options().stream().flatMap(o -> Arrays.stream(o.names())).collect(Collectors.toSet());

  private static void key(String option, String... keys) {
    OPTION_KEYS.put(option, List.of(keys));
  }

  boolean given() {
    return presets != null || files != null || dumpConfig != null;
  }

  /** Defaults < presets < files < the flags typed on this command line. */
  PcleanConfig resolve(ParseResult typed) {
    PcleanConfig.Builder b = PcleanConfig.builder();
    if (presets != null) {
      presets.forEach(b::preset);
    }
    if (files != null) {
      files.forEach(b::file);
    }
    return b.cli(cliLayer(typed)).resolve();
  }

  /** With --dump-config: writes the merged configuration (checked for conversion) and says so; false without it. */
  boolean dumped(PcleanConfig c, CommandLine cl) {
    if (dumpConfig == null) {
      return false;
    }
    c.paramsBuilder();
    PcleanCli.dump(c, dumpConfig);
    cl.getOut().println("Config written to " + dumpConfig);
    cl.getOut().flush();
    return true;
  }

  /** The typed flags as a layer (origin "cli"). */
  static Layer cliLayer(ParseResult typed) {
    Map<String, Object> raw = new LinkedHashMap<>();
    for (OptionSpec o : typed.matchedOptions()) {
      List<String> keys = keysOf(o);
      if (keys == null && !Arrays.stream(o.names()).anyMatch(IMAGING::contains)) {
        continue;  // the command's own option
      }
      if (keys == null) {
        throw new IllegalStateException("option " + o.longestName() + " has no configuration key (ConfigOptions.OPTION_KEYS)");
      }
      Object v = o.getValue();
      for (String k : keys) {
        raw.put(k, v instanceof Path p ? p.toString() : v);
      }
    }
    return Layer.of("cli", raw);
  }

  /** The keys of an option, by any of its names; null for an unmapped option; empty for a meta option. */
  static List<String> keysOf(OptionSpec o) {
    for (String n : o.names()) {
      if (META.contains(n)) {
        return List.of();
      }
      List<String> k = OPTION_KEYS.get(n);
      if (k != null) {
        return k;
      }
    }
    return null;
  }
}
