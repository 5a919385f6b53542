/** Word lists the synthetic world draws from. Small, fixed, and in a stable order (determinism). */

export const regionCodes = [
  "US", "US", "US", "GB", "CA", "DE", "FR", "JP", "BR", "MX", "IN", "ID", "TR", "IQ", "ES", "IT", "AU", "NL", "PL", "KR"
] as const

export const hashtagVocabulary = [
  "fyp", "foryou", "foryoupage", "viral", "cats", "cat", "catsoftiktok", "dog", "dogsoftiktok", "animal", "pets",
  "cute", "funny", "comedy", "dance", "music", "trend", "food", "recipe", "cooking", "travel", "nature", "art",
  "diy", "fashion", "beauty", "makeup", "fitness", "gym", "sports", "football", "soccer", "basketball", "gaming",
  "minecraft", "fortnite", "anime", "books", "booktok", "history", "science", "learnontiktok", "news", "politics",
  "election", "climate", "tech", "ai", "coding", "music2024", "newyear", "holiday", "summer", "winter", "love",
  "family", "baby", "wedding", "car", "cars", "motivation", "mentalhealth", "selfcare", "skincare", "outfit",
  "ootd", "vlog", "dayinmylife", "asmr", "satisfying", "challenge", "duet", "stitch", "capcut", "trending",
  "explore", "fy", "fypシ", "lol", "meme", "memes", "edit", "aesthetic", "vintage", "garden", "plants", "coffee",
  "baking", "pizza", "sushi", "tacos", "hiking", "beach", "mountains", "roadtrip", "paris", "london", "tokyo",
  "nyc", "la", "berlin", "catlover", "kitten", "puppy", "horse", "birds", "fish", "wildlife", "ocean", "space",
  "nasa", "physics", "math", "chemistry", "biology", "medicine", "nurse", "teacher", "student", "college",
  "exam", "study", "money", "finance", "investing", "crypto", "realestate", "business", "marketing", "smallbusiness",
  "الباشا👑", "تيك_توك", "añonuevo2024🎉", "cubanos🇨🇺", "日本", "ねこ", "고양이", "café", "niño", "größe"
] as const

export const wordVocabulary = [
  "the", "a", "my", "our", "this", "that", "best", "new", "little", "big", "happy", "sad", "crazy", "sweet", "cat",
  "dog", "kitten", "puppy", "day", "night", "morning", "weekend", "friday", "summer", "winter", "recipe", "dance",
  "song", "video", "moment", "life", "love", "friend", "family", "trip", "city", "beach", "home", "kitchen",
  "garden", "car", "game", "match", "goal", "win", "lose", "try", "watch", "wait", "look", "see", "make", "made",
  "cook", "bake", "eat", "drink", "coffee", "tea", "pizza", "pasta", "cake", "cookies", "tutorial", "tips", "hack",
  "story", "time", "first", "last", "again", "finally", "never", "always", "so", "very", "really", "just", "when",
  "why", "how", "what", "who", "is", "was", "be", "with", "for", "from", "to", "in", "on", "at", "and", "but",
  "or", "not", "obsessed", "unbothered", "queen", "king", "boss", "fluffy", "tiny", "huge", "wild", "calm"
] as const

export const firstNames = [
  "Ava", "Liam", "Mia", "Noah", "Emma", "Leo", "Zoe", "Omar", "Yuki", "Sofia", "Lucas", "Amara", "Ivan", "Chloe",
  "Mateo", "Lina", "Arjun", "Nora", "Kai", "Elif", "Hana", "Diego", "Maya", "Tom", "Aisha", "Felix", "Ines", "Sam"
] as const

export const nameDecorations = ["", "", "", " ✨", " 🐱", " 🌸", " official", " 🇺🇸", " tv", " 💫", " (backup)"] as const

export const stickerNames = ["heart", "sparkle", "cat ears", "sunglasses", "rainbow", "fire", "crown", "star"] as const
export const effectNames = ["Green Screen", "Slow Zoom", "Bling", "Time Warp Scan", "AI Manga", "Retro", "Glow"] as const
export const videoLabels = ["Sponsored", "Paid partnership", "AI-generated", "Unverified content"] as const
