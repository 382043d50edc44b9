package org.pclean.ingest.params;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.pclean.casacore.DataColumn;

/**
 * {@link TcleanParams} as a map of tclean names to strings, for the JobSpec on the bus. Angles are carried in
 * radians and fluxes in Jy, numbers in Java's round-trip form, so a worker rebuilds exactly the parameters the
 * client validated.
 */
public final class TcleanParamsCodec {
  private TcleanParamsCodec() {}

  public static Map<String, String> toMap(TcleanParams p) {
    Map<String, String> m = new LinkedHashMap<>();
    if (p.vis() != null) {
      m.put("vis", p.vis().toString());
    }
    if (p.dataset() != null) {
      m.put("dataset", p.dataset());
    }
    if (p.timerange() != null) {
      m.put("timerange", doubles(p.timerange()));
    }
    m.put("imagename", p.imagename());
    m.put("specmode", lower(p.specmode()));
    m.put("imsize", ints(p.imsize()));
    m.put("cell", doubles(p.cell()));
    if (p.phasecenter() != null) {
      m.put("phasecenter", doubles(p.phasecenter()));
    }
    m.put("field", ints(p.field()));
    m.put("spw", ints(p.spw()));
    if (p.chanRange() != null) {
      m.put("chanrange", ints(p.chanRange()));
    }
    m.put("datacolumn", lower(p.datacolumn()));
    m.put("gridder", lower(p.gridder()));
    m.put("wprojplanes", Integer.toString(p.wprojplanes()));
    m.put("epsilon", Double.toString(p.epsilon()));
    m.put("padding", Double.toString(p.padding()));
    m.put("weighting", lower(p.weighting()));
    m.put("robust", Double.toString(p.robust()));
    m.put("uvtaper", Double.toString(p.uvtaper()));
    m.put("noise", Double.toString(p.noise()));
    m.put("npixels", Integer.toString(p.npixels()));
    m.put("perchanweightdensity", Boolean.toString(p.perchanweightdensity()));
    m.put("fracbw", Double.toString(p.fracbw()));
    if (p.densityChannels() != null) {
      m.put("densitychannels", ints(p.densityChannels()));
    }
    m.put("deconvolver", lower(p.deconvolver()));
    m.put("scales", ints(p.scales()));
    m.put("smallscalebias", Double.toString(p.smallscalebias()));
    m.put("nterms", Integer.toString(p.nterms()));
    m.put("niter", Integer.toString(p.niter()));
    m.put("cycleniter", Integer.toString(p.cycleniter()));
    m.put("gain", Double.toString(p.gain()));
    m.put("threshold", Double.toString(p.threshold()));
    m.put("nsigma", Double.toString(p.nsigma()));
    m.put("cyclefactor", Double.toString(p.cyclefactor()));
    m.put("minpsffraction", Double.toString(p.minpsffraction()));
    m.put("maxpsffraction", Double.toString(p.maxpsffraction()));
    m.put("psfcutoff", Double.toString(p.psfcutoff()));
    if (p.restoringbeam() != null) {
      m.put("restoringbeam", doubles(p.restoringbeam()));
    }
    putMasking(m, p.masking());
    m.put("pbcor", Boolean.toString(p.pbcor()));
    m.put("pblimit", Double.toString(p.pblimit()));
    m.put("savemodel", Boolean.toString(p.savemodel()));
    m.put("nchan", Integer.toString(p.nchan()));
    m.put("fits", Boolean.toString(p.fits()));
    m.put("threads", Integer.toString(p.threads()));
    m.put("overwrite", Boolean.toString(p.overwrite()));
    m.put("restart", Boolean.toString(p.restart()));
    if (p.startmodel() != null) {
      m.put("startmodel", p.startmodel().toString());
    }
    if (!p.spwChannels().isEmpty()) {
      m.put("spwchannels", org.pclean.ingest.source.SpwChannels.format(p.spwChannels()));
    }
    m.put("start", p.start().text());
    m.put("width", p.width().text());
    m.put("restfreq", Double.toString(p.restfreq()));
    m.put("veltype", lower(p.veltype()));
    m.put("outframe", p.outframe());
    m.put("interpolation", lower(p.interpolation()));
    m.put("calcres", Boolean.toString(p.calcres()));
    m.put("calcpsf", Boolean.toString(p.calcpsf()));
    return m;
  }

  public static TcleanParams fromMap(Map<String, String> m) {
    TcleanParams.Builder b = TcleanParams.builder()
        .vis(m.containsKey("vis") ? Path.of(m.get("vis")) : null).dataset(m.get("dataset"))
        .timerange(m.containsKey("timerange") ? parseDoubles(m.get("timerange")) : null)
        .imagename(req(m, "imagename"))
        .specmode(TcleanParams.parse(TcleanParams.SpecMode.class, "specmode", req(m, "specmode")))
        .datacolumn(DataColumn.parse(req(m, "datacolumn")))
        .gridder(TcleanParams.parse(TcleanParams.GridderKind.class, "gridder", req(m, "gridder")))
        .wprojplanes(Integer.parseInt(req(m, "wprojplanes")))
        .epsilon(Double.parseDouble(m.getOrDefault("epsilon", "1e-4"))).padding(Double.parseDouble(req(m, "padding")))
        .weighting(TcleanParams.WeightingMode.parse(req(m, "weighting"))).robust(Double.parseDouble(req(m, "robust")))
        .uvtaper(Double.parseDouble(req(m, "uvtaper")))
        .noise(Double.parseDouble(m.getOrDefault("noise", "1.0")))
        .npixels(Integer.parseInt(m.getOrDefault("npixels", "0")))
        .perchanweightdensity(Boolean.parseBoolean(m.getOrDefault("perchanweightdensity", "true")))
        .fracbw(Double.parseDouble(m.getOrDefault("fracbw", "0")))
        .densityChannels(m.containsKey("densitychannels") ? parseInts(m.get("densitychannels")) : null)
        .deconvolver(TcleanParams.DeconvolverKind.parse(req(m, "deconvolver"))).scales(parseInts(m.get("scales")))
        .smallscalebias(Double.parseDouble(req(m, "smallscalebias"))).nterms(Integer.parseInt(req(m, "nterms")))
        .niter(Integer.parseInt(req(m, "niter"))).cycleniter(Integer.parseInt(req(m, "cycleniter")))
        .gain(Double.parseDouble(req(m, "gain"))).threshold(Double.parseDouble(req(m, "threshold")))
        .nsigma(Double.parseDouble(req(m, "nsigma"))).cyclefactor(Double.parseDouble(req(m, "cyclefactor")))
        .minpsffraction(Double.parseDouble(req(m, "minpsffraction")))
        .maxpsffraction(Double.parseDouble(req(m, "maxpsffraction")))
        .psfcutoff(Double.parseDouble(req(m, "psfcutoff"))).pbcor(Boolean.parseBoolean(req(m, "pbcor")))
        .pblimit(Double.parseDouble(req(m, "pblimit"))).savemodel(Boolean.parseBoolean(req(m, "savemodel")))
        .nchan(Integer.parseInt(req(m, "nchan"))).fits(Boolean.parseBoolean(req(m, "fits")))
        .threads(Integer.parseInt(req(m, "threads")))
        .overwrite(Boolean.parseBoolean(m.getOrDefault("overwrite", "false")))
        .restart(Boolean.parseBoolean(m.getOrDefault("restart", "false")))
        .startmodel(m.containsKey("startmodel") ? Path.of(m.get("startmodel")) : null)
        .calcres(Boolean.parseBoolean(m.getOrDefault("calcres", "true")))
        .calcpsf(Boolean.parseBoolean(m.getOrDefault("calcpsf", "true")))
        .start(m.getOrDefault("start", "")).width(m.getOrDefault("width", ""))
        .restfreq(Double.parseDouble(m.getOrDefault("restfreq", "0")))
        .veltype(TcleanParams.parse(org.pclean.ingest.plan.SpectralAxis.VelocityType.class, "veltype",
            m.getOrDefault("veltype", "radio")))
        .outframe(m.getOrDefault("outframe", "TOPO"))
        .interpolation(org.pclean.ingest.source.ChannelRegridder.Interpolation.parse(
            m.getOrDefault("interpolation", "linear")))
        .field(parseInts(m.get("field"))).spw(parseInts(m.get("spw")));
    int[] imsize = parseInts(req(m, "imsize"));
    b.imsize(imsize[0], imsize[1]);
    double[] cell = parseDoubles(req(m, "cell"));
    b.cell(cell[0], cell[1]);
    if (m.containsKey("phasecenter")) {
      double[] pc = parseDoubles(m.get("phasecenter"));
      b.phasecenter(pc[0], pc[1]);
    }
    if (m.containsKey("chanrange")) {
      int[] cr = parseInts(m.get("chanrange"));
      b.chanRange(cr[0], cr[1]);
    }
    if (m.containsKey("spwchannels")) {
      b.spwSelection(org.pclean.ingest.source.SpwChannels.parse(m.get("spwchannels")));
    }
    if (m.containsKey("restoringbeam")) {
      double[] rb = parseDoubles(m.get("restoringbeam"));
      b.restoringbeam(rb[0], rb[1], rb[2]);
    }
    return b.masking(masking(m)).build();
  }

  /**
   * The mask parameters; mask entries (region texts hold commas and newlines) go as mask.0, mask.1, ... so that no
   * separator can clash with their text.
   */
  private static void putMasking(Map<String, String> m, MaskParams k) {
    m.put("usemask", k.usemask().tcleanName());
    for (int i = 0; i < k.mask().size(); i++) {
      m.put("mask." + i, k.mask().get(i));
    }
    m.put("pbmask", Double.toString(k.pbmask()));
    m.put("sidelobethreshold", Double.toString(k.sidelobethreshold()));
    m.put("noisethreshold", Double.toString(k.noisethreshold()));
    m.put("lownoisethreshold", Double.toString(k.lownoisethreshold()));
    m.put("negativethreshold", Double.toString(k.negativethreshold()));
    m.put("smoothfactor", Double.toString(k.smoothfactor()));
    m.put("minbeamfrac", Double.toString(k.minbeamfrac()));
    m.put("cutthreshold", Double.toString(k.cutthreshold()));
    m.put("growiterations", Integer.toString(k.growiterations()));
    m.put("dogrowprune", Boolean.toString(k.dogrowprune()));
    m.put("minpercentchange", Double.toString(k.minpercentchange()));
    m.put("fastnoise", Boolean.toString(k.fastnoise()));
  }

  /** The mask parameters of a map, tclean's defaults for those it lacks (jobs from before masks). */
  private static MaskParams masking(Map<String, String> m) {
    MaskParams d = MaskParams.DEFAULT;
    java.util.List<String> mask = new java.util.ArrayList<>();
    for (int i = 0; m.containsKey("mask." + i); i++) {
      mask.add(m.get("mask." + i));
    }
    return new MaskParams(MaskParams.UseMask.parse(m.getOrDefault("usemask", d.usemask().tcleanName())), mask,
        dbl(m, "pbmask", d.pbmask()), dbl(m, "sidelobethreshold", d.sidelobethreshold()),
        dbl(m, "noisethreshold", d.noisethreshold()), dbl(m, "lownoisethreshold", d.lownoisethreshold()),
        dbl(m, "negativethreshold", d.negativethreshold()), dbl(m, "smoothfactor", d.smoothfactor()),
        dbl(m, "minbeamfrac", d.minbeamfrac()), dbl(m, "cutthreshold", d.cutthreshold()),
        Integer.parseInt(m.getOrDefault("growiterations", Integer.toString(d.growiterations()))),
        Boolean.parseBoolean(m.getOrDefault("dogrowprune", Boolean.toString(d.dogrowprune()))),
        dbl(m, "minpercentchange", d.minpercentchange()),
        Boolean.parseBoolean(m.getOrDefault("fastnoise", Boolean.toString(d.fastnoise()))));
  }

  private static double dbl(Map<String, String> m, String key, double def) {
    String v = m.get(key);
    return v == null ? def : Double.parseDouble(v);
  }

  private static String req(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("job parameters lack '" + key + "'");
    }
    return v;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String ints(int[] a) {
    return Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(","));
  }

  private static String doubles(double[] a) {
    return Arrays.stream(a).mapToObj(Double::toString).collect(Collectors.joining(","));
  }

  private static int[] parseInts(String s) {
    return s == null || s.isBlank() ? new int[0] : Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static double[] parseDoubles(String s) {
    return Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
  }
}
