package org.pclean.ops.config;

import java.util.List;

/**
 * One key of pclean's configuration: where it lives ({@code section.name}, the sections being pclean's), its type,
 * its built-in default (canonical, see {@link ValueType}) and what it does here.
 *
 * @param section "image", "cluster.slurm", ...
 * @param choices the accepted values of a string key, or empty for any
 * @param target what the key sets, or why it is refused
 * @param note how the key differs from pclean, or empty
 */
public record ConfigKey(String section, String name, ValueType type, Object defaultValue, List<String> choices,
    Target target, String note) {

  /** What a key maps to. */
  public enum Kind {
    /** A {@code TcleanParams.Builder} call. */
    PARAM,
    /** A cluster setting ({@code ParallelRunner.Settings} or whether to run in parallel). */
    CLUSTER,
    /** Read by {@code pclean submit} (SLURM); carried in the configuration, no effect on an imaging run. */
    SUBMIT,
    /** Not implemented: any value but the default is an error naming the key and the reason. */
    REFUSED,
    /** Accepted with any value; cannot change the result here (the reason says why). */
    INERT
  }

  /** @param text the builder call or setting, or the reason for a refused/inert key */
  public record Target(Kind kind, String text) {}

  public ConfigKey {
    choices = List.copyOf(choices);
  }

  /** "image.imsize". */
  public String fullName() {
    return section + "." + name;
  }

  public boolean refused() {
    return target.kind() == Kind.REFUSED;
  }

  /** The canonical value of raw for this key; a message naming the key otherwise. */
  public Object coerce(Object raw) {
    Object v;
    try {
      v = type.coerce(raw);
    } catch (ConfigException e) {
      throw new ConfigException(fullName() + ": " + e.getMessage());
    }
    if (!choices.isEmpty() && v != null && !choices.contains(v.toString())) {
      throw new ConfigException(fullName() + ": '" + v + "' is not one of " + String.join(", ", choices));
    }
    return v;
  }
}
