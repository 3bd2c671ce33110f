package dev.qubix.release.internal;

import dev.qubix.release.DownloadException;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * A release folder on this machine (a USB stick, a share, what {@code release make} wrote). Its files
 * are copied into the cache like downloads: the folder may change after it was checked, the cache
 * cannot.
 */
public final class DirReleaseSource implements ReleaseSource {
  private final Path dir;

  public DirReleaseSource(Path dir) {
    this.dir = dir;
  }

  @Override
  public String describe(String name) {
    return dir.resolve(name).toString();
  }

  @Override
  public Optional<byte[]> readSmall(String name, int limit) {
    Path f = dir.resolve(name);
    try {
      if (!Files.isRegularFile(f)) {
        return Optional.empty();
      }
      if (Files.size(f) > limit) {
        throw new DownloadException(f + " is larger than " + limit + " bytes: not a release's " + name);
      }
      return Optional.of(Files.readAllBytes(f));
    } catch (IOException e) {
      throw new DownloadException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void fetch(String name, Path partial, MessageDigest digest, Progress progress) {
    Path f = dir.resolve(name);
    try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ);
        FileChannel out = PrivateFiles.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      long total = in.size();
      long done = out.size();
      if (done > total) {
        out.truncate(0);
        digest.reset();
        done = 0;
      }
      DiskSpace.require(partial.getParent(), total - done, f.toString());
      in.position(done);
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      while (in.read(buf) >= 0) {
        buf.flip();
        digest.update(buf.array(), 0, buf.limit());
        try {
          while (buf.hasRemaining()) {
            done += out.write(buf);
          }
        } catch (IOException e) {
          if (DiskSpace.isFull(e)) {
            throw DiskSpace.full(partial, e);
          }
          throw e;
        }
        buf.clear();
        progress.bytes(done, total);
      }
    } catch (NoSuchFileException e) {
      throw new DownloadException("the release folder " + dir + " has no " + name + " (" + f + ")");
    } catch (IOException e) {
      if (DiskSpace.isFull(e)) {
        throw DiskSpace.full(partial, e);
      }
      throw new DownloadException("cannot copy " + f + ": " + e.getMessage(), e);
    }
  }
}
