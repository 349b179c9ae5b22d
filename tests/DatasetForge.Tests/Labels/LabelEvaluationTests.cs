using DatasetForge.Labels;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Labels;

public sealed class LabelEvaluationTests
{
    [Fact]
    public void Accuracy_is_exact_match_per_row_with_the_songs_other_files_as_context()
    {
        using var temp = new TempDir();
        var path = temp.File("truth.csv");
        File.WriteAllText(path, """
            song_id,file,instrument,label,artist
            A - One,Room.wav,drum_set,Drum_Room,A
            A - One,Kick.wav,drum_set,Drum_Kick,A
            A - One,Vox.wav,lead_vocal,Lead_Vocal,A
            B - Two,Room.wav,ambient_mic,Ambient_Microphone,B
            B - Two,Cello.wav,strings,Cello,B
            B - Two,Bass.wav,bass,Double_Bass,B
            B - Two,Mystery.wav,unused,Unused,B
            """);
        var truth = LabelEvaluation.ReadTruth(path);
        var result = LabelEvaluation.Run(new TrackLabeler(LabelRuleSet.Default), truth);
        Assert.Equal(7, result.N);
        // Room: Drum_Room with the kick beside it, ambient without; the unknown mystery track is the one miss.
        Assert.Equal(6 / 7.0, result.InstrumentAccuracy, 9);
        Assert.Equal(6 / 7.0, result.LabelAccuracy!.Value, 9);
        Assert.Equal(1, result.InstrumentConfusion()[("unused", "unknown")]);
        Assert.Equal("{\"instrument_accuracy\": 0.857143, \"label_accuracy\": 0.857143, \"n\": 7}", result.ToJson());
    }

    [Fact]
    public void Label_column_is_optional_and_missing_required_columns_are_named()
    {
        using var temp = new TempDir();
        var path = temp.File("truth.csv");
        File.WriteAllText(path, "song_id,file,instrument\ns,Kick.wav,drum_set\ns,Bass.wav,bass\n");
        var result = LabelEvaluation.Run(new TrackLabeler(LabelRuleSet.Default), LabelEvaluation.ReadTruth(path));
        Assert.Equal(1.0, result.InstrumentAccuracy);
        Assert.Null(result.LabelAccuracy);
        Assert.Contains("\"label_accuracy\": null", result.ToJson());

        File.WriteAllText(path, "song_id,name\ns,Kick.wav\n");
        var error = Assert.Throws<InvalidDataException>(() => LabelEvaluation.ReadTruth(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("'file'", error.Message);
    }

    [Fact]
    public void Folds_split_by_artist_and_cover_every_row_once()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new TruthRow($"Artist{i % 37} - Song{i}", "Kick.wav", "drum_set", Artist: i % 5 == 0 ? null : $"Artist{i % 37}")).ToList();
        var a = LabelEvaluation.Fold(rows, 0, 2);
        var b = LabelEvaluation.Fold(rows, 1, 2);
        Assert.Equal(rows.Count, a.Count + b.Count);
        var artistsA = a.Select(r => r.SongId.Split(" - ")[0]).ToHashSet();
        Assert.DoesNotContain(b, r => artistsA.Contains(r.SongId.Split(" - ")[0]));
        Assert.NotEmpty(a);
        Assert.NotEmpty(b);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelEvaluation.Fold(rows, 2, 2));
    }
}
