using DatasetForge.Dsp;
using DatasetForge.Render;

namespace DatasetForge.Tests.Render;

public sealed class StereoPairsTests
{
    [Fact]
    public void Complete_left_right_pairs_are_placed_left_and_right()
    {
        var placements = StereoPairs.Find([
            "07_OH L.wav", "08_OH R.wav", "Piano_Left.wav", "Piano_Right.wav", "KeysL.wav", "KeysR.wav",
            "Room_l_01.wav", "Room_r_01.wav", "01_Kick.wav",
        ]);
        Assert.Equal(TrackPlacement.Left, placements["07_OH L.wav"]);
        Assert.Equal(TrackPlacement.Right, placements["08_OH R.wav"]);
        Assert.Equal(TrackPlacement.Left, placements["Piano_Left.wav"]);
        Assert.Equal(TrackPlacement.Right, placements["Piano_Right.wav"]);
        Assert.Equal(TrackPlacement.Left, placements["KeysL.wav"]);
        Assert.Equal(TrackPlacement.Right, placements["KeysR.wav"]);
        Assert.Equal(TrackPlacement.Left, placements["Room_l_01.wav"]);
        Assert.False(placements.ContainsKey("01_Kick.wav"));
    }

    [Fact]
    public void A_lone_side_marker_or_a_word_ending_in_l_stays_centred()
    {
        var placements = StereoPairs.Find(["Bass L.wav", "Bell.wav", "Vocal.wav", "Gtr L 1.wav", "Gtr R 2.wav", "Shaker_L.wav", "Shaker_L2.wav"]);
        Assert.Empty(placements);
    }

    [Fact]
    public void Mono_to_side_matrices_put_the_track_in_one_channel()
    {
        var left = ChannelMatrix.MonoToSide(0);
        Assert.Equal(1f, left.Weight(0, 0));
        Assert.Equal(0f, left.Weight(1, 0));
        var right = ChannelMatrix.MonoToSide(1);
        Assert.Equal(0f, right.Weight(0, 0));
        Assert.Equal(1f, right.Weight(1, 0));
    }
}
