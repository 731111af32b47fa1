package io.consentgate.topology;

/**
 * Whether the gate is re-deciding its history from scratch (after a reset, or as a new
 * application), and whether it has caught up with the input it found at start. While it catches
 * up, the deciders record without publishing; once it has, each task publishes the current
 * verdict of every contact once, in the new epoch, and runs normally from then on. The runtime
 * answers both from the group's committed offsets; an offline replay never catches up.
 */
public interface CatchUp {

  /** A gate that decides as it reads, from the first record. */
  CatchUp LIVE = new CatchUp() {
    @Override
    public boolean catchingUp() {
      return false;
    }

    @Override
    public boolean inputsCaughtUp() {
      return true;
    }
  };

  /** True when a task that has not decided anything yet must start quietly. */
  boolean catchingUp();

  /** True once every input record that existed at start, and every re-routed one, is processed. */
  boolean inputsCaughtUp();
}
