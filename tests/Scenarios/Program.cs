using Scenarios;

return await ServeCommand.RunAsync(args);
