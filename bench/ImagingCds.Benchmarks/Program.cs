using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/ImagingCds.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(ImagingCds.Benchmarks.HookBenchmarks).Assembly).Run(args);
