using DatasetForge.Benchmarks;

return await BenchCli.BuildRoot().Parse(args).InvokeAsync().ConfigureAwait(false);
