package org.pclean.ops.cli;

import java.util.concurrent.Callable;
import org.pclean.ops.config.ConfigKeys;
import org.pclean.ops.config.PcleanConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pclean config show|keys}: the merged configuration with each value's layer, and the keys table. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Inspect configurations: show (merged values and the layer each came from), keys (the table).",
    subcommands = {ConfigCommand.Show.class, ConfigCommand.Keys.class})
final class ConfigCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: show or keys");
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print every configuration value with its layer (default, preset:NAME, file:PATH, cli)."
          + " Takes the imaging command's flags, --preset and --pconfig.")
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ImagingOptions imaging;
    @Mixin ConfigOptions config;

    @Override
    public Integer call() {
      // Keys and types are checked; conversion and refusals are not, so any pclean YAML can be inspected.
      PcleanConfig c = config.resolve(spec.commandLine().getParseResult());
      if (config.dumpConfig != null) {
        c.paramsBuilder();
        PcleanCli.dump(c, config.dumpConfig);
      }
      spec.commandLine().getOut().print(c.show());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "keys", mixinStandardHelpOptions = true,
      description = "Print the table of configuration keys (Markdown): type, default, what each maps to.")
  static final class Keys implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(ConfigKeys.markdown());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
