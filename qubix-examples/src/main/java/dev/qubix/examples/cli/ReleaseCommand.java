package dev.qubix.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.Appliance;
import dev.qubix.release.ReleaseMaker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qubixctl release make DIR MACHINE...}: a release folder others can run without Nix. */
@Command(name = "release", mixinStandardHelpOptions = true,
    description = "Make release folders (images + SHA256SUMS + signature) that run without Nix: see --release.",
    subcommands = ReleaseCommand.Make.class)
final class ReleaseCommand implements Callable<Integer> {
  @ParentCommand QubixCtl top;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(new CommandLine(this), "missing subcommand: use 'release make DIR MACHINE...'");
  }

  @Command(name = "make", mixinStandardHelpOptions = true, description = {
      "Build the machines' images with Nix and write a release folder: qubix-manifest.json, the images, "
          + "SHA256SUMS and, with --sign, SHA256SUMS.sig (ssh-keygen -Y sign -n qubix-release).",
      "The same inputs give the same bytes."})
  static final class Make implements Callable<Integer> {
    @ParentCommand ReleaseCommand release;
    @Option(names = "--compress", description = "gzip each image (.gz).") boolean compress;
    @Option(names = "--sign", paramLabel = "KEYFILE", description = "OpenSSH private key (ed25519) to sign SHA256SUMS with; "
        + "Qubix passes it to ssh-keygen and never reads it.") Path sign;
    @Option(names = "--image", paramLabel = "KEY", description = "Only this image of each machine (repeatable; default: "
        + "every image that is a file).") List<String> images;
    @Parameters(index = "0", paramLabel = "DIR", description = "New or empty folder to write.") Path dir;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "MACHINE", description = "Machines to include.") List<String> machines;

    @Override
    public Integer call() throws Exception {
      QubixCtl top = release.top;
      List<Appliance> appliances = new ArrayList<>();
      for (String m : new LinkedHashSet<>(machines)) {
        appliances.add(top.appliance(m));
      }
      ReleaseMaker maker = ReleaseMaker.into(dir).withCompression(compress);
      if (sign != null) {
        maker = maker.withSigningKey(sign);
      }
      if (images != null) {
        maker = maker.withImages(new LinkedHashSet<>(images));
      }
      List<Path> files = maker.make(appliances);
      top.endTransientLine();
      if (top.json) {
        ObjectNode o = Commands.JSON.createObjectNode();
        o.put("release", dir.toAbsolutePath().toString());
        ArrayNode a = o.putArray("files");
        files.forEach(f -> a.add(f.getFileName().toString()));
        top.out.println(Commands.JSON.writeValueAsString(o));
      } else {
        top.out.println("release written to " + dir.toAbsolutePath() + ":");
        files.forEach(f -> top.out.println("  " + f.getFileName()));
      }
      return QubixCtl.OK;
    }
  }
}
