package dev.qubix.nspawn.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an imported home archive may hold: names relative to the home, links that stay inside it, no devices. */
class HomeArchiveTest {
  @TempDir Path dir;

  /** A ustar archive written by hand, so each test holds exactly the entry it is about. */
  private static final class Tar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Tar entry(char type, String name, String link, byte[] body) {
      byte[] h = new byte[512];
      put(h, 0, name);
      put(h, 100, "0000644");
      put(h, 108, "0000000");
      put(h, 116, "0000000");
      put(h, 124, String.format("%011o", body.length));
      put(h, 136, "00000000000");
      h[156] = (byte) type;
      put(h, 157, link);
      put(h, 257, "ustar");
      put(h, 263, "00");
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      long sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      out.writeBytes(h);
      out.writeBytes(body);
      out.writeBytes(new byte[(512 - body.length % 512) % 512]);
      return this;
    }

    Tar file(String name, String content) {
      return entry('0', name, "", content.getBytes(StandardCharsets.UTF_8));
    }

    Tar longName(String name) {
      return entry('L', "././@LongLink", "", (name + "\0").getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(out.toByteArray());
      all.writeBytes(new byte[1024]);
      return all.toByteArray();
    }

    private static void put(byte[] h, int at, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(b, 0, h, at, b.length);
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private Path gzip(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(file))) {
      o.write(bytes);
    }
    return file;
  }

  private static void refused(Path file, String why) {
    assertThatThrownBy(() -> HomeArchive.check(file)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining(why).hasMessageContaining("nothing was changed");
  }

  @Test
  void aHomeWithFoldersFilesInsideLinksHardLinksAndLongNamesIsAccepted() throws Exception {
    String deep = "./user/" + "a".repeat(120) + "/notes.txt";
    byte[] tar = new Tar().entry('5', "./", "", new byte[0]).entry('5', "./user/", "", new byte[0])
        .file("./user/.profile", "export A=1\n").entry('2', "./user/bin", "../shared/bin", new byte[0])
        .entry('2', "./user/here", "./.profile", new byte[0]).entry('1', "./user/again", "./user/.profile", new byte[0])
        .longName(deep).file("ignored", "x").entry('6', "./user/fifo", "", new byte[0]).bytes();

    assertThatCode(() -> HomeArchive.check(write("home.tar", tar))).doesNotThrowAnyException();
    assertThatCode(() -> HomeArchive.check(gzip("home.tar.gz", tar))).doesNotThrowAnyException();
    assertThatCode(() -> HomeArchive.check(gzip("home.tgz", tar))).doesNotThrowAnyException();
  }

  @Test
  void namesThatAreAbsoluteOrClimbOutAreRefused() throws Exception {
    refused(write("abs.tar", new Tar().file("/etc/cron.d/x", "x").bytes()), "'/etc/cron.d/x' is absolute or leaves");
    refused(write("up.tar", new Tar().file("../x", "x").bytes()), "'../x'");
    refused(write("mid.tar", new Tar().file("user/../../x", "x").bytes()), "'user/../../x'");
    refused(write("long.tar", new Tar().longName("../" + "b".repeat(150)).file("ok", "x").bytes()), "leaves the folder");
  }

  @Test
  void linksPointingOutOfTheHomeAndDevicesAreRefused() throws Exception {
    refused(write("abslink.tar", new Tar().entry('2', "./user/passwd", "/etc/passwd", new byte[0]).bytes()),
        "points to '/etc/passwd', outside the home");
    refused(write("rellink.tar", new Tar().entry('2', "./user/up", "../../etc", new byte[0]).bytes()),
        "points to '../../etc'");
    refused(write("hard.tar", new Tar().entry('1', "./user/h", "../x", new byte[0]).bytes()), "outside the archive");
    refused(write("hardabs.tar", new Tar().entry('1', "./user/h", "/etc/shadow", new byte[0]).bytes()), "outside the archive");
    refused(write("dev.tar", new Tar().entry('3', "./user/tty", "", new byte[0]).bytes()), "device node");
  }

  @Test
  void whatIsNotAWholeTarArchiveIsRefused() throws Exception {
    refused(write("words.tar", "just some words, not an archive\n".repeat(40).getBytes(StandardCharsets.UTF_8)), "checksum");
    byte[] whole = new Tar().file("./a", "x".repeat(2000)).bytes();
    refused(write("cut.tar", java.util.Arrays.copyOf(whole, 700)), "truncated");
    refused(write("empty.tar", new byte[1024]), "no entries");
    refused(write("plain.tar.gz", whole), "gzip");
    assertThatThrownBy(() -> HomeArchive.check(dir.resolve("home.zip"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(".tar, .tar.gz or .tgz");
    assertThatThrownBy(() -> HomeArchive.check(dir.resolve("missing.tar"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("does not exist");
  }
}
