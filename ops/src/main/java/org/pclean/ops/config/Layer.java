package org.pclean.ops.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One layer of configuration: the keys it sets (canonical values), where it came from ("default",
 * "preset:vlass", "file:/path/run.yaml", "cli", "api") and, for YAML, the line of each key.
 */
public record Layer(String origin, Map<ConfigKey, Object> values, Map<ConfigKey, Integer> lines) {
  public Layer {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    lines = Map.copyOf(lines);
  }

  /** Where key was set, for messages: "file:run.yaml line 12", or the origin. */
  public String where(ConfigKey key) {
    Integer line = lines.get(key);
    return line == null ? origin : origin + " line " + line;
  }

  /**
   * A layer from raw values by full key name (the Java API and the CLI): each coerced to its key's type, an
   * unknown name an error with the nearest key.
   */
  public static Layer of(String origin, Map<String, ?> raw) {
    Map<ConfigKey, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : raw.entrySet()) {
      String name = e.getKey();
      ConfigKey key = ConfigKeys.find(name).orElseThrow(() -> {
        int dot = name.lastIndexOf('.');
        String section = dot < 0 ? "" : name.substring(0, dot);
        if (!ConfigKeys.SECTIONS.contains(section)) {
          return new ConfigException(origin + ": unknown key '" + name + "' (keys are section.name, e.g. iteration.niter)");
        }
        return new ConfigException(origin + ": " + ConfigKeys.unknownKey(section, name.substring(dot + 1)));
      });
      try {
        values.put(key, key.coerce(e.getValue()));
      } catch (ConfigException ex) {
        throw new ConfigException(origin + ": " + ex.getMessage());
      }
    }
    return new Layer(origin, values, Map.of());
  }
}
