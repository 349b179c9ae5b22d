using System.CommandLine;
using DatasetForge.Cli;

// Ctrl-C / SIGTERM cancel the command's token; long runs (forge run, forge demo) then stop at their next check and
// clean up their temp files, which can take longer than System.CommandLine's default 2 s grace.
return await ForgeCli.BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
