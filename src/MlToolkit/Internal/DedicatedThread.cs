namespace MlToolkit.Internal;

/// <summary>
/// Runs a long synchronous ML.NET call (a <c>Fit</c>) on a thread of its own that ends with the call, instead of on the
/// thread pool.
/// </summary>
/// <remarks>
/// <para>LightGBM's native library parallelises with GNU OpenMP (<c>libgomp</c>), which keeps a team of worker threads for
/// every thread that has ever called it, for as long as that thread lives. Once the process holds more OpenMP threads than
/// there are cores, <c>libgomp</c> spins far less before it sleeps at a barrier, and every LightGBM fit slows down. Measured
/// on 2 cores (80,000 rows × 28 floats, 100 iterations): about 1.0–1.2 s while one team exists, 1.6–2.0 s as soon as a
/// second thread that called LightGBM is still alive, even idle.</para>
/// <para>Thread-pool threads live long, so fits run with <c>Task.Run</c> left one team behind on each pool thread they
/// happened to use, and later fits (ours and the host's) paid for it. A thread that ends frees its team; creating one
/// costs well under a millisecond, nothing next to a fit.</para>
/// </remarks>
internal static class DedicatedThread
{
    /// <summary>Runs <paramref name="work"/> on a new thread that ends when it returns.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Cancels the work only if it has not started; a running fit cannot be interrupted.</param>
    /// <returns>The work's result.</returns>
    public static Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
        => Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
