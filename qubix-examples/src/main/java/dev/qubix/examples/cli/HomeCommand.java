package dev.qubix.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.Home;
import dev.qubix.HomeBackup;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code qubixctl home backup|list|restore|delete|export|import}: the VM's home disk, the one thing
 * in it the user owns. The names are fixed (users and scripts depend on them); bad input is exit 2
 * with nothing changed.
 */
@Command(name = "home", mixinStandardHelpOptions = true,
    description = "Back up, restore, export and import the VM's home disk (backups are kept by destroy, removed by destroy --purge).",
    subcommands = {HomeCommand.Backup.class, HomeCommand.ListCmd.class, HomeCommand.Restore.class, HomeCommand.Delete.class,
        HomeCommand.Export.class, HomeCommand.Import.class})
final class HomeCommand implements Callable<Integer> {
  @ParentCommand QubixCtl top;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(new CommandLine(this),
        "missing subcommand: use 'home backup|list|restore|delete|export|import ... MACHINE'");
  }

  /** Common to the subcommands: the machine, the home handle, output. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand HomeCommand home;

    abstract String machine();

    QubixCtl top() {
      return home.top;
    }

    Home homeOf() {
      return top().appliance(machine()).home();
    }

    void done(String text, String key, String value) throws Exception {
      top().endTransientLine();
      if (top().json) {
        ObjectNode o = Commands.JSON.createObjectNode();
        o.put("machine", machine());
        o.put(key, value);
        top().out.println(Commands.JSON.writeValueAsString(o));
      } else {
        top().out.println(text);
      }
    }
  }

  @Command(name = "backup", mixinStandardHelpOptions = true, description = {"Back up the home disk under a name "
      + "(default backup-<time>).", "A running VM is copied at one instant by QEMU (crash-consistent); the guest keeps running."})
  static final class Backup extends Sub {
    @Option(names = "--name", paramLabel = "NAME", description = "Letters, digits, '.', '_', '-' (no '/' or '..').") String name;
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    String machine() {
      return machine;
    }

    @Override
    public Integer call() throws Exception {
      HomeBackup b = name == null ? homeOf().backup() : homeOf().backup(name);
      done(machine + ": home backed up as " + b.name() + " (" + mib(b.sizeBytes()) + ")", "backup", b.name());
      return QubixCtl.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the home's backups: name, time, size, image version.")
  static final class ListCmd extends Sub {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    String machine() {
      return machine;
    }

    @Override
    public Integer call() throws Exception {
      List<HomeBackup> all = homeOf().list();
      QubixCtl top = top();
      top.endTransientLine();
      if (top.json) {
        ArrayNode a = Commands.JSON.createArrayNode();
        for (HomeBackup b : all) {
          ObjectNode o = a.addObject();
          o.put("name", b.name());
          o.put("time", b.time().toString());
          o.put("sizeBytes", b.sizeBytes());
          o.put("imageVersion", b.imageVersion().orElse(null));
          o.put("automatic", b.automatic());
        }
        top.out.println(Commands.JSON.writeValueAsString(a));
      } else if (all.isEmpty()) {
        top.out.println(machine + ": no home backups");
      } else {
        String row = "%-36s %-20s %9s %-4s %s";
        top.out.println(String.format(row, "NAME", "TIME", "SIZE", "AUTO", "IMAGE").stripTrailing());
        for (HomeBackup b : all) {
          top.out.println(String.format(row, b.name(), b.time().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
              mib(b.sizeBytes()), b.automatic() ? "yes" : "no", b.imageVersion().map(Commands.Ls::shortImage).orElse("?"))
              .stripTrailing());
        }
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true, description = {"Replace the home disk by a backup (the VM "
      + "must be stopped).", "The current home is kept first as the backup before-restore-<time>; the backup is not changed."})
  static final class Restore extends Sub {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    String machine() {
      return machine;
    }

    @Override
    public Integer call() throws Exception {
      homeOf().restore(name);
      done(machine + ": home restored from " + name + " (the previous home is kept as a before-restore-* backup)", "restored", name);
      return QubixCtl.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one backup.")
  static final class Delete extends Sub {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    String machine() {
      return machine;
    }

    @Override
    public Integer call() throws Exception {
      homeOf().delete(name);
      done(machine + ": backup " + name + " deleted", "deleted", name);
      return QubixCtl.OK;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true, description = "Write the home disk to a new portable file "
      + "(qcow2 or vhdx, by its extension; an nspawn home folder: .tar, .tar.gz or .tgz), to move it to another machine.")
  static final class Export extends Sub {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Parameters(index = "1", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    String machine() {
      return machine;
    }

    @Override
    public Integer call() throws Exception {
      homeOf().exportTo(file);
      done(machine + ": home exported to " + file.toAbsolutePath(), "exported", file.toAbsolutePath().toString());
      return QubixCtl.OK;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true, description = {"Replace the home disk by a disk file (qcow2 or "
      + "vhdx, by its extension; an nspawn home folder: .tar, .tar.gz or .tgz; the VM must be stopped).", "The file is checked first; the current home is kept as a backup."})
  static final class Import extends Sub {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Parameters(index = "1", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    String machine() {
      return machine;
    }

    @Override
    public Integer call() throws Exception {
      homeOf().importFrom(file);
      done(machine + ": home imported from " + file.toAbsolutePath() + " (the previous home is kept as a before-restore-* backup)",
          "imported", file.toAbsolutePath().toString());
      return QubixCtl.OK;
    }
  }

  static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
