package org.pclean.ops.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The presets shipped in the jar ({@code org/pclean/ops/config/presets/<name>.yaml}). Unlike pclean's
 * {@code load_preset}, a name is never looked up in the working directory: a local file is a {@code --pconfig}.
 */
public final class Presets {
  /** In the order the docs list them. */
  public static final List<String> NAMES = List.of("vlass", "cube-default", "continuum-mtmfs", "alma-band6",
      "snapshot-realtime");

  private Presets() {}

  public static Layer load(String name) {
    if (!NAMES.contains(name)) {
      throw new ConfigException("unknown preset '" + name + "' (presets: " + String.join(", ", NAMES)
          + "; a YAML file of your own is a --pconfig)");
    }
    try (InputStream in = Presets.class.getResourceAsStream("presets/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalStateException("preset " + name + " missing from the jar");
      }
      return YamlConfig.read("preset:" + name, in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
