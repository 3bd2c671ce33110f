package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ≥50 malformed manifests and ≥100 hostile strings through the CLI, all in one child JVM whose
 * PATH starts with recording stand-ins for every program Qubix may run: each case exits 2 with one
 * line naming the field, and no program is started.
 */
class HostileInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final java.util.regex.Pattern VALID_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  static final String BASE = """
      {"schemaVersion": 3, "machines": {"spotibox": {"hostName": "spotibox", "vmName": "qubix-spotibox",
        "cpuCount": 2, "memoryStartupBytes": 2147483648, "maxMemoryBytes": 6442450944,
        "network": {"mode": "static", "staticIp": "192.168.250.10", "prefixLength": 24, "gateway": "192.168.250.1",
                    "natSwitchSubnet": "192.168.250.0/24", "nameservers": ["1.1.1.1"]},
        "homeDisk": {"enable": true, "label": "qubix-home", "sizeMiB": 16384},
        "rdp": {"user": "rdp", "port": 3389, "width": 1280, "height": 800}, "mdnsName": "spotibox.local",
        "images": {"hyperv": {"package": "spotibox-vhdx", "format": "vhdx"}, "microvm": {"package": "spotibox-qcow2", "format": "qcow2"}},
        "hyperv": {"vmRoot": "C:\\\\HyperV\\\\Qubix", "switchName": "spotibox-nat", "generation": 2, "secureBoot": false, "wslDistro": "NixOS"}}}}
      """;

  /** One broken rule each: the JSON pointer (relative to the machine) and the patched value. */
  static List<String[]> mutations() {
    String[][] m = {
        {"/hostName", "\"spoti box\""}, {"/hostName", "5"}, {"/hostName", "null"}, {"/vmName", "\"-x\""}, {"/vmName", "\"../x\""},
        {"/mode", "\"fast\""}, {"/cpuCount", "0"}, {"/cpuCount", "65"}, {"/cpuCount", "1.5"}, {"/cpuCount", "\"2\""},
        {"/cpuCount", "null"}, {"/memoryStartupBytes", "1"}, {"/memoryStartupBytes", "-5"}, {"/memoryStartupBytes", "true"},
        {"/maxMemoryBytes", "99999999999999999999"}, {"/network/staticIp", "\"192.168.251.10\""},
        {"/network/staticIp", "\"192.168.250.256\""}, {"/network/staticIp", "\"192.168.250.010\""},
        {"/network/staticIp", "\"192.168.250.255\""}, {"/network/staticIp", "\"::1\""}, {"/network/staticIp", "7"},
        {"/network/gateway", "null"}, {"/network/gateway", "\"10.0.0.1\""}, {"/network/gateway", "\"192.168.250.10\""},
        {"/network/prefixLength", "31"}, {"/network/prefixLength", "0"}, {"/network/natSwitchSubnet", "\"192.168.250.1/24\""},
        {"/network/natSwitchSubnet", "\"10.0.0.0/8\""}, {"/network/natSwitchSubnet", "\"nonsense\""},
        {"/network/nameservers", "\"1.1.1.1\""}, {"/network/nameservers", "[\"dns.example\"]"}, {"/network/mode", "\"bridge\""},
        {"/network", "null"}, {"/network", "[]"}, {"/homeDisk/label", "\"a label far too long\""}, {"/homeDisk/sizeMiB", "1"},
        {"/homeDisk/enable", "\"yes\""}, {"/homeDisk", "5"}, {"/rdp/port", "0"}, {"/rdp/port", "70000"}, {"/rdp/user", "\"Root;rm\""},
        {"/rdp/width", "10"}, {"/rdp", "null"}, {"/mdnsName", "\"spoti box.local\""}, {"/images/hyperv/format", "\"iso\""},
        {"/images/hyperv/package", "\"$(evil)\""}, {"/images/hyperv/file", "\"../../etc/passwd\""},
        {"/images/hyperv/path", "\"relative/x.vhdx\""}, {"/images/hyperv/storePath", "\"/tmp/x\""}, {"/images", "[]"},
        {"/hyperv/vmRoot", "\"HyperV\\\\Qubix\""}, {"/hyperv/vmRoot", "\"C:\\\\HyperV\\\\..\\\\Windows\""},
        {"/hyperv/vmRoot", "\"C:\\\\a|b\""}, {"/hyperv/switchName", "\"a\\nb\""}, {"/hyperv/generation", "3"},
        {"/hyperv/wslDistro", "\"Nix OS\""}, {"/hyperv/secureBoot", "\"no\""}, {"/hyperv", "\"C:\""}};
    return List.of(m);
  }

  /** A whole manifest file that is broken as a document, and what its message must name. */
  record Document(String name, byte[] content, String expect) {
    static Document of(String name, String content, String expect) {
      return new Document(name, content.getBytes(StandardCharsets.UTF_8), expect);
    }
  }

  static List<Document> documents() {
    byte[] binary = new byte[2560];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    return List.of(
        Document.of("not JSON", "not json", "not valid JSON"),
        Document.of("empty file", "", "the manifest is empty"),
        Document.of("trailing garbage", BASE + "garbage", "not valid JSON"),
        Document.of("array", "[]", "must be a JSON object"),
        Document.of("nesting bomb", "[".repeat(100_000), "not valid JSON"),
        Document.of("byte order mark", "\ufeff" + BASE, "not valid JSON"),
        new Document("binary", binary, "--manifest"),
        Document.of("schemaVersion 4", BASE.replace("\"schemaVersion\": 3", "\"schemaVersion\": 4"), "/schemaVersion"),
        Document.of("schemaVersion string", BASE.replace("\"schemaVersion\": 3", "\"schemaVersion\": \"3\""), "/schemaVersion"),
        Document.of("schemaVersion missing", BASE.replace("\"schemaVersion\": 3,", ""), "/schemaVersion"),
        Document.of("machines missing", "{\"schemaVersion\": 3}", "/machines"),
        Document.of("machines array", "{\"schemaVersion\": 3, \"machines\": []}", "/machines"),
        Document.of("machine not an object", "{\"schemaVersion\": 3, \"machines\": {\"spotibox\": 5}}", "/machines/spotibox"),
        Document.of("NUL in a path", BASE.replace("\"format\": \"qcow2\"", "\"format\": \"qcow2\", \"path\": \"/x/\\u0000y\""),
            "/machines/spotibox/images/microvm/path"),
        Document.of("overlong vmRoot", BASE.replace("C:\\\\HyperV", "C:\\\\" + "a".repeat(100_000)), "/machines/spotibox/hyperv/vmRoot"),
        Document.of("64-character host name", BASE.replace("\"hostName\": \"spotibox\"", "\"hostName\": \"" + "a".repeat(64) + "\""),
            "/machines/spotibox/hostName"),
        Document.of("RTL mark in vmName", BASE.replace("qubix-spotibox", "qubix-\u202espotibox"), "/machines/spotibox/vmName"),
        Document.of("hostile nameserver", BASE.replace("[\"1.1.1.1\"]", "[\"1.1.1.1\", \"8.8.8.8;x\"]"),
            "/machines/spotibox/network/nameservers/1"));
  }

  /** --overrides documents that are not a valid merge patch, or patch in a bad value. */
  static List<String[]> overrideDocuments() {
    String[][] o = {{"{", "overrides"}, {"{\"cpuCount\": 4}{", "overrides"}, {"[1]", "overrides"}, {"\"x\"", "overrides"}, {"null", "overrides"},
        {"{\"cpuCount\": \"$(x)\"}", "/machines/spotibox/cpuCount"},
        {"{\"network\": {\"staticIp\": \"1.2.3.4;rm\"}}", "/machines/spotibox/network/staticIp"},
        {"{\"images\": {\"microvm\": {\"path\": \"../../x\"}}}", "/machines/spotibox/images/microvm/path"},
        {"{\"rdp\": {\"port\": \"3389`\"}}", "/machines/spotibox/rdp/port"},
        {"{\"hyperv\": {\"vmRoot\": \"C:\\\\a\\\";calc\"}}", "/machines/spotibox/hyperv/vmRoot"}};
    return List.of(o);
  }

  static List<String> hostileStrings() {
    List<String> c = new ArrayList<>(List.of("'", "\"", "`", "$", "$(calc)", "${env:PATH}", "; calc", "& calc", "| calc",
        "&& calc", "\ncalc", "\r\ncalc", "`$(calc)", "'; calc; '", "\u2018calc\u2019", "\u201ccalc\u201d", "$null",
        "-Force", "--%", "#c", "<# b #>", "(calc)", "{calc}", "[calc]", "%PATH%", "!calc", "^calc", "..\\..\\Windows",
        "C:\\Windows", "\\\\evil\\share", "a*b", "a?b", "<calc>", "a>b", "\u202eexe.gnp", "\t", " lead", "trail ", "a b",
        "\u00e9", "\u5c71\u7530", "\ud83d\ude00", "'$(calc)'", "\"$(calc)\"", "$env:USERNAME", "iex calc", "& { calc }",
        "::qubix-result::{}", "{\"a\":1}", "\\\"", "%00", "%0a", "../", "..", ".", "-", "--", "+", "=", "$$", "$?", "$_",
        "@args", "[IO.File]::Delete('x')", "`0", "\u200bzw", "\ufeffbom", "\u00a0nb", "x\u2028y", "0x41", "-1",
        "/etc/passwd", "~root", "*", "?", "|", ";", "&", ">", "<", "(", ")", "{", "}", "[", "]", "!", "#", "%",
        "^", "~", "\\", "/", ":", "a:b", "a/b", "a\\b", "a..b/../c", "CON", "NUL", "a@b", "a,b", "a=b;c", "\u00ad", "\u0007bell"));
    c.add("x".repeat(10_000));
    c.add("$(calc)".repeat(1_500));
    return c;
  }

  @Test
  void everyHostileInputExitsWith2NamingTheFieldAndStartsNoProgram(@TempDir Path tmp) throws Exception {
    assertThat(mutations().size() + documents().size()).isGreaterThanOrEqualTo(50);
    assertThat(hostileStrings()).hasSizeGreaterThanOrEqualTo(100);
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path started = tmp.resolve("started.log");
    for (String program : List.of("nix", "nix-instantiate", "qemu-system-x86_64", "qemu-img", "powershell.exe", "wsl.exe",
        "pwsh", "mstsc.exe", "xfreerdp", "wslpath", "cmd.exe", "sh", "bash", "ssh")) {
      Path p = bin.resolve(program);
      Files.writeString(p, "#!/bin/sh\necho \"" + program + " $*\" >> '" + started + "'\nexit 1\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path base = tmp.resolve("base.json");
    Files.writeString(base, BASE);

    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CasesMain.class.getName(), tmp.toString());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("QUBIX_NIX", bin.resolve("nix").toString());
    pb.environment().put("QUBIX_QEMU", bin.resolve("qemu-system-x86_64").toString());
    pb.environment().put("QUBIX_STATE_DIR", tmp.resolve("state").toString());
    Path out = tmp.resolve("cases.jsonl");
    Process p = pb.redirectErrorStream(false).redirectOutput(out.toFile()).redirectError(tmp.resolve("err.log").toFile()).start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("err.log"))).isZero();

    List<String> lines = Files.readAllLines(out);
    long invalidNames = hostileStrings().stream().filter(s -> !VALID_NAME.matcher(s).matches()).count();
    assertThat(invalidNames).isGreaterThanOrEqualTo(100);
    assertThat(lines).hasSize((int) (mutations().size() + documents().size() + overrideDocuments().size()
        + 2 * hostileStrings().size() + invalidNames));
    for (String line : lines) {
      JsonNode c = JSON.readTree(line);
      String desc = c.path("case").asText();
      String stderr = c.path("stderr").asText();
      assertThat(c.path("exit").asInt()).as("%s: %s", desc, stderr).isEqualTo(2);
      assertThat(stderr.strip().lines().count()).as("%s: %s", desc, stderr).isEqualTo(1);
      assertThat(stderr).as(desc).doesNotContain("\tat ").startsWith("qubixctl: ");
      // a 10 000-character value is named, not echoed back in full
      assertThat(stderr.length()).as(desc).isLessThan(600);
      assertThat(stderr).as(desc).contains(c.path("expect").asText());
    }
    assertThat(started).as("programs started").doesNotExist();
  }

  /** Runs every case through QubixCtl in this one JVM and prints a JSON line per case. */
  public static final class CasesMain {
    public static void main(String[] args) throws Exception {
      Path tmp = Path.of(args[0]);
      PrintStream realOut = System.out;
      int n = 0;
      for (String[] m : mutations()) {
        ObjectNode root = (ObjectNode) JSON.readTree(BASE);
        ObjectNode machine = (ObjectNode) root.at("/machines/spotibox");
        put(machine, m[0], JSON.readTree(m[1]));
        Path file = tmp.resolve("m" + (n++) + ".json");
        Files.writeString(file, root.toString());
        run(realOut, "manifest " + m[0] + "=" + m[1], "/machines/spotibox" + m[0],
            "--manifest", file.toString(), "--backend", backendFor("/machines/spotibox" + m[0]), "status");
      }
      for (Document d : documents()) {
        Path file = tmp.resolve("m" + (n++) + ".json");
        Files.write(file, d.content());
        run(realOut, "manifest " + d.name(), d.expect(), "--manifest", file.toString(), "--backend", backendFor(d.expect()), "status");
      }
      Path base = tmp.resolve("base.json");
      for (String[] o : overrideDocuments()) {
        run(realOut, "overrides " + o[0], o[1], "--manifest", base.toString(), "--backend", backendFor(o[1]), "--overrides", o[0], "status");
      }
      for (String s : hostileStrings()) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        run(realOut, "machine " + shown, "machine", "--manifest", base.toString(), "--backend", "microvm", "status", "--", s);
        run(realOut, "backend " + shown, "backend", "--manifest", base.toString(), "--backend", s, "status");
        if (!VALID_NAME.matcher(s).matches()) {   // a valid host name such as "CON" is not hostile there
          run(realOut, "override hostName " + shown, "/machines/spotibox/hostName", "--manifest", base.toString(),
              "--backend", "microvm", "--overrides", JSON.createObjectNode().put("hostName", s).toString(), "status");
        }
      }
    }

    /** The hyperv section is the Hyper-V backend's: its rules, not core's, check it, so its cases run with that backend. */
    private static String backendFor(String expect) {
      return expect.startsWith("/machines/spotibox/hyperv") ? "hyperv" : "microvm";
    }

    private static void put(ObjectNode machine, String pointer, JsonNode value) {
      String[] parts = pointer.substring(1).split("/");
      ObjectNode o = machine;
      for (int i = 0; i < parts.length - 1; i++) {
        o = o.has(parts[i]) && o.get(parts[i]).isObject() ? (ObjectNode) o.get(parts[i]) : o.putObject(parts[i]);
      }
      o.set(parts[parts.length - 1], value);
    }

    private static void run(PrintStream realOut, String name, String expect, String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = QubixCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      ObjectNode line = JSON.createObjectNode();
      line.put("case", name);
      line.put("exit", exit);
      line.put("stderr", err.toString(StandardCharsets.UTF_8));
      line.put("expect", expect);
      realOut.println(line);
    }
  }

}
