package org.pclean.ops.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * pclean's YAML layout read into a {@link Layer}, and a full configuration written back. Reading works on
 * SnakeYAML's node tree, so every error names the file and line; the resolver is YAML 1.1's without sexagesimal
 * numbers and timestamps, so an unquoted {@code walltime: 24:00:00} is the string "24:00:00" (PyYAML reads 86400
 * and pclean then fails validation). Writing quotes any string a YAML 1.1 reader would take for something else,
 * so PyYAML (and so pclean) reads our dumps back as strings too.
 */
public final class YamlConfig {
  private YamlConfig() {}

  /** YAML 1.1's implicit types minus base-60 ints/floats ("24:00:00", "190:20:30.15") and timestamps. */
  static final class NoSexagesimalResolver extends Resolver {
    static final Pattern INT = Pattern.compile("^(?:[-+]?0b_*[0-1][0-1_]*|[-+]?0_*[0-7][0-7_]*"
        + "|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*)$");
    static final Pattern FLOAT = Pattern.compile("^([-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        + "|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");

    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO");
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.MERGE, MERGE, "<");
      addImplicitResolver(Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(Tag.NULL, EMPTY, null);
      addImplicitResolver(Tag.YAML, YAML, "!&*");
    }
  }

  /** The tag the reading resolver gives a plain scalar: "int", "float", "bool", "null" or "str". */
  static String resolvedTag(String plain) {
    return tagName(new NoSexagesimalResolver().resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, plain, true));
  }

  public static Layer read(Path file) {
    String origin = "file:" + file;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(origin, r);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  public static Layer read(String origin, InputStream in) {
    return read(origin, new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
  }

  public static Layer read(String origin, String yaml) {
    return read(origin, new StringReader(yaml));
  }

  public static Layer read(String origin, Reader reader) {
    LoaderOptions lo = new LoaderOptions();
    lo.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(lo), new org.yaml.snakeyaml.representer.Representer(new DumperOptions()),
        new DumperOptions(), lo, new NoSexagesimalResolver());
    Node root;
    try {
      root = yaml.compose(reader);
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      throw new ConfigException("bad YAML in " + origin + (mark == null ? "" : " line " + (mark.getLine() + 1))
          + ": " + oneLine(problem));
    } catch (YAMLException e) {
      throw new ConfigException("bad YAML in " + origin + ": " + oneLine(e.getMessage()));
    }
    Map<ConfigKey, Object> values = new LinkedHashMap<>();
    Map<ConfigKey, Integer> lines = new HashMap<>();
    if (root == null || isNull(root)) {
      return new Layer(origin, values, lines);
    }
    if (!(root instanceof MappingNode top)) {
      throw at(origin, root, "expected a mapping of sections (selection, image, grid, ...) at the top level");
    }
    Set<String> seen = new HashSet<>();
    for (NodeTuple t : top.getValue()) {
      String section = keyName(origin, t.getKeyNode());
      if (!seen.add(section)) {
        throw at(origin, t.getKeyNode(), "section " + section + " appears twice");
      }
      if (!ConfigKeys.SECTIONS.contains(section) || section.contains(".")) {
        throw at(origin, t.getKeyNode(), ConfigKeys.unknownSection(section));
      }
      readSection(origin, section, t.getValueNode(), values, lines);
    }
    return new Layer(origin, values, lines);
  }

  private static void readSection(String origin, String section, Node node, Map<ConfigKey, Object> values,
      Map<ConfigKey, Integer> lines) {
    if (isNull(node)) {
      return;
    }
    if (!(node instanceof MappingNode m)) {
      throw at(origin, node, "section " + section + " must be a mapping of keys");
    }
    Set<String> seen = new HashSet<>();
    for (NodeTuple t : m.getValue()) {
      String name = keyName(origin, t.getKeyNode());
      if (!seen.add(name)) {
        throw at(origin, t.getKeyNode(), section + "." + name + " appears twice");
      }
      String sub = section + "." + name;
      if (ConfigKeys.SECTIONS.contains(sub)) {
        readSection(origin, sub, t.getValueNode(), values, lines);
        continue;
      }
      ConfigKey key = ConfigKeys.find(sub).orElseThrow(() -> at(origin, t.getKeyNode(),
          ConfigKeys.unknownKey(section, name)));
      try {
        values.put(key, key.coerce(raw(origin, t.getValueNode())));
      } catch (ConfigException e) {
        throw at(origin, t.getValueNode(), e.getMessage());
      }
      lines.put(key, t.getKeyNode().getStartMark().getLine() + 1);
    }
  }

  /** A node as {@link ValueType#coerce} takes it: a {@link ValueType.Scalar}, a list, or a map (always refused). */
  private static Object raw(String origin, Node node) {
    if (node instanceof ScalarNode s) {
      return new ValueType.Scalar(s.getValue(), tagName(s.getTag()));
    }
    if (node instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      for (Node n : seq.getValue()) {
        out.add(raw(origin, n));
      }
      return out;
    }
    return Map.of();
  }

  private static String keyName(String origin, Node key) {
    if (!(key instanceof ScalarNode s)) {
      throw at(origin, key, "a key must be a plain name");
    }
    return s.getValue();
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  private static String tagName(Tag tag) {
    if (tag.equals(Tag.INT)) {
      return "int";
    } else if (tag.equals(Tag.FLOAT)) {
      return "float";
    } else if (tag.equals(Tag.BOOL)) {
      return "bool";
    } else if (tag.equals(Tag.NULL)) {
      return "null";
    }
    return "str";
  }

  private static ConfigException at(String origin, Node node, String message) {
    return new ConfigException(origin + " line " + (node.getStartMark().getLine() + 1) + ": " + message);
  }

  private static String oneLine(String s) {
    return s == null ? "syntax error" : s.replaceAll("\\s+", " ").trim();
  }

  /** Writes every key of values (a full configuration) in pclean's section layout. */
  public static String write(Map<ConfigKey, Object> values, String header) {
    StringBuilder sb = new StringBuilder();
    for (String line : header.split("\n")) {
      sb.append("# ").append(line).append('\n');
    }
    for (String section : ConfigKeys.SECTIONS) {
      boolean nested = section.contains(".");
      String indent = nested ? "    " : "  ";
      sb.append(nested ? "  " + section.substring(section.indexOf('.') + 1) : section).append(":\n");
      for (ConfigKey k : ConfigKeys.inSection(section)) {
        sb.append(indent).append(k.name()).append(": ").append(flow(values.get(k))).append('\n');
      }
    }
    return sb.toString();
  }

  private static final Yaml FLOW;

  static {
    DumperOptions d = new DumperOptions();
    d.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
    d.setWidth(Integer.MAX_VALUE);
    FLOW = new Yaml(d);
  }

  /** One value in YAML flow form: 0.2, '24:00:00', '', [100], [1arcsec, 2arcsec], null. */
  public static String flow(Object value) {
    return FLOW.dump(value).strip();
  }
}
