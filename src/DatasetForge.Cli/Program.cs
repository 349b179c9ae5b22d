using DatasetForge.Cli;

return await ForgeCli.BuildRoot().Parse(args).InvokeAsync().ConfigureAwait(false);
