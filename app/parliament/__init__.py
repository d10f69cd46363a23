"""The MPs' workspace: their committee's drafts and consultations, and the summaries the drafting agencies sent."""
