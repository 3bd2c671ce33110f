package dev.qubix.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qubixctl secret rotate MACHINE}: the VM's RDP password is replaced, and never printed. */
@Command(name = "secret", mixinStandardHelpOptions = true, description = "Manage the VM's own RDP password (kept by Qubix, never printed).",
    subcommands = SecretCommand.Rotate.class)
final class SecretCommand implements Callable<Integer> {
  @ParentCommand QubixCtl top;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(new CommandLine(this), "missing subcommand: use 'secret rotate MACHINE'");
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Replace the VM's RDP password with a new random one (the VM must be stopped; "
      + "the guest takes it at its next start).")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand SecretCommand secret;
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = Commands.DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() throws Exception {
      QubixCtl top = secret.top;
      top.appliance(machine).rotateSecret();
      if (top.json) {
        ObjectNode o = Commands.JSON.createObjectNode();
        o.put("machine", machine);
        o.put("rotated", true);
        top.out.println(Commands.JSON.writeValueAsString(o));
      } else {
        top.out.println(machine + ": new RDP secret stored; it reaches the guest when the VM next starts");
      }
      return QubixCtl.OK;
    }
  }
}
