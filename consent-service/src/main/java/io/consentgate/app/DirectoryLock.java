package io.consentgate.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * An exclusive lock on a directory for this process: {@code <dir>/.lock}, locked with the
 * operating system's file lock and holding the pid of its owner. The operating system drops the
 * lock when the process ends, however it ends (SIGKILL too), so a stale lock file never blocks a
 * start; only a live process does.
 *
 * <p>The file is never deleted: a process that opened it just before the delete could lock a file
 * no one else sees any more.
 */
public final class DirectoryLock implements AutoCloseable {

  static final String FILE_NAME = ".lock";

  /**
   * Directories this JVM holds. A second lock in the same process is refused here, without opening
   * the file: closing any channel on a locked file may drop the process's lock on it (POSIX).
   */
  private static final Set<Path> HELD = new HashSet<>();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if needed and locks it, or says who holds it.
   *
   * @param inUse the message when another process holds the lock, given "pid N" or "another process"
   * @throws Unavailable the directory is in use, or cannot be created or locked
   */
  public static DirectoryLock acquire(Path dir, String what, Function<String, String> inUse) throws Unavailable {
    Path key = dir.toAbsolutePath().normalize();
    synchronized (HELD) {
      if (HELD.contains(key)) {
        throw new Unavailable(inUse.apply("pid " + ProcessHandle.current().pid() + " (this process)"));
      }
      Path file = dir.resolve(FILE_NAME);
      FileChannel channel;
      try {
        Files.createDirectories(dir);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new Unavailable("cannot use the " + what + " " + dir + ": " + e, e);
      }
      try {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          String holder = holder(channel);
          channel.close();
          throw new Unavailable(inUse.apply(holder));
        }
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(pid), 0);
        channel.force(false);
        HELD.add(key);
        return new DirectoryLock(key, channel, lock);
      } catch (IOException e) {
        closeQuietly(channel);
        throw new Unavailable("cannot lock the " + what + " " + dir + " (" + file + "): " + e, e);
      }
    }
  }

  /** "pid N" from the lock file; the holder writes it right after locking, so wait a moment for it. */
  private static String holder(FileChannel channel) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String content = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
      if (content.matches("[0-9]+")) {
        return "pid " + content;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return "another process";
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
  }

  /** Releases the lock; the file stays. Closing twice does nothing. */
  @Override
  public void close() {
    synchronized (HELD) {
      if (!channel.isOpen()) {
        return;
      }
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel releases it as well
      }
      closeQuietly(channel);
      HELD.remove(dir);
    }
  }
}
