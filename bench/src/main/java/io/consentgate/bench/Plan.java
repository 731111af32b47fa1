package io.consentgate.bench;

import java.time.Duration;

/**
 * How much a run measures, by mode ({@code --smoke}, {@code --quick}, full) and {@code --events}.
 * {@code memoryContacts}: the numbers of contacts in state to measure process memory with.
 */
record Plan(long events, int eventsPerContact, int partitions, int rounds, int reroutingPairs, int[] ratesPerSecond,
            Duration latencyWindow, long replayEvents, boolean jmh, long[] memoryContacts) {}
