"""UI strings in English and Korean (a missing Korean string falls back to English visibly in tests)."""

KO = {
    "Open clip or recording…": "영상 또는 기록 열기…", "Stop": "정지", "Exercise": "운동",
    "Open a clip, a landmark recording or the camera to start": "시작하려면 영상, 기록 또는 카메라를 여세요",
    "Range of motion": "가동 범위", "Reps {n}": "{n}회", "partial": "부분", "short of the target": "목표에 조금 못 미침", "Phase: {p}": "단계: {p}",
    "target": "목표", "Last rep score {s}": "마지막 반복 점수 {s}", "Nobody in view": "사람이 보이지 않아요",
    "Step back so your whole body is visible": "온몸이 보이도록 뒤로 물러나 주세요", "Done": "완료",
    "top": "위", "down": "내려가기", "bottom": "바닥", "up": "올라오기", "rest": "휴식", "hold": "유지",
    "Workout": "운동하기", "Today": "오늘", "FitCoach": "핏코치", "History": "기록", "Settings": "설정",
    "Profile": "프로필", "Plan my next session": "다음 운동 계획 세우기", "Start the first exercise": "첫 운동 시작",
    "No history yet for this profile: start with any exercise in Workout.":
        "이 프로필의 기록이 아직 없어요. 운동하기에서 아무 운동이나 시작해 보세요.",
    "Next session": "다음 운동", "Show": "보기", "date": "날짜", "exercise": "운동", "reps": "반복",
    "ROM": "가동 범위", "score": "점수", "session": "세션", "tempo_accuracy": "템포 정확도",
    "silent": "끄기", "counts": "숫자만", "full": "전체 코칭", "Save": "저장", "Saved": "저장했어요",
    "Language": "언어", "Voice": "음성 코칭", "Speech rate (words/min)": "말하기 속도 (분당 단어)", "Mute": "음소거",
    "Pose model": "자세 인식 모델", "Data folder": "데이터 폴더", "Programs": "프로그램",
    "Add exercise": "운동 추가", "Save to profile": "프로필에 저장", "Import file…": "파일 가져오기…",
    "Export file…": "파일 내보내기…", "Progress report…": "진행 보고서…", "FHIR export…": "FHIR 내보내기…",
    "Program name": "프로그램 이름", "Sessions per week": "주당 횟수", "Notes": "메모", "Valid": "올바른 프로그램이에요",
    "Saved as version {v}": "버전 {v}(으)로 저장했어요", "Loaded {p}": "{p} 불러옴", "program": "프로그램",
    "id": "운동", "sets": "세트", "hold_s": "유지(초)", "tempo": "템포", "rest_s": "휴식(초)",
    "safe_min": "안전 최소", "safe_max": "안전 최대", "Assessment": "평가",
    "Front photo…": "정면 사진…", "Side photo…": "측면 사진…", "Assess posture": "자세 평가",
    "ROM test from a clip…": "영상으로 가동 범위 검사…", "left": "왼쪽", "right": "오른쪽", "Posture": "자세",
    "Front: face the camera, whole body in view, arms relaxed. Side: stand side-on, ear, shoulder, hip and ankle visible.":
        "정면: 카메라를 보고 온몸이 보이게, 팔은 편하게. 측면: 옆으로 서서 귀, 어깨, 엉덩이, 발목이 보이게.",
    "Measuring…": "측정 중…",
}


def tr(text: str, lang: str) -> str:
    return KO.get(text, text) if lang == "ko" else text


# Workout, Replay and Settings pages
KO.update({
    "Replay": "다시 보기", "Tempo": "템포", "last rep": "마지막 반복", "prescribed": "처방", "safe range": "안전 범위",
    "from": "기준:", "exercise defaults": "운동 기본값", "program {n} v{v}": "프로그램 {n} v{v}",
    "today's plan": "오늘의 계획", "Camera": "카메라", "camera": "카메라", "Resolution": "해상도",
    "Start with camera": "카메라로 시작", "Workout from a file…": "영상으로 운동…", "no camera found": "카메라 없음",
    "Start with the camera, or open a recorded workout": "카메라로 시작하거나 녹화된 운동을 여세요",
    "countdown": "카운트다운", "Record landmarks": "관절 위치 기록", "with video": "영상 포함",
    "End set": "세트 끝내기", "Skip rest": "휴식 건너뛰기", "How did it feel?": "운동은 어땠나요?",
    "Pain (0 none – 10 worst)": "통증 (0 없음 – 10 최악)", "Effort (0 rest – 10 maximal)": "힘든 정도 (0 휴식 – 10 최대)",
    "Note (optional)": "메모 (선택)", "Recording saved: {p}": "기록 저장: {p}", "Set {i} of {n}": "{n}세트 중 {i}세트",
    "Step into view": "화면 안으로 들어오세요", "Starting in {n}": "{n}초 후 시작", "Rest {n} s": "휴식 {n}초",
    "Sets done: {s}": "완료한 세트: {s}", "saved": "저장됨", "Play": "재생", "Pause": "일시정지",
    "Step back one frame": "한 프레임 뒤로", "Step forward one frame": "한 프레임 앞으로", "Speed": "속도",
    "Export JSON…": "JSON 내보내기…", "Exported {p}": "{p} 내보냄", "Held {s} s": "{s}초 유지",
    "Open a clip, a landmark recording or an image folder to replay its analysis":
        "영상, 관절 기록 또는 이미지 폴더를 열어 분석을 다시 보세요",
    "Analysed {n} frames: {r} reps, {p} partial": "{n}프레임 분석: {r}회, 부분 {p}회",
    "Analysing… {n} of {t} frames": "분석 중… {t}프레임 중 {n}", "People in view": "화면 속 사람",
    "one person": "한 명", "follow one of two people": "두 명 중 한 명 추적", "Volume": "음량",
    "Open folder": "폴더 열기", "Privacy": "개인정보", "not installed": "설치 안 됨",
    "Saved. Language, camera and model apply from the next start.": "저장했어요. 언어, 카메라, 모델은 다음 실행부터 적용돼요.",
    "lite (fastest)": "lite (가장 빠름)", "full (balanced)": "full (균형)", "heavy (most precise)": "heavy (가장 정밀)",
    # driver metrics, shown next to the measured angle
    "knee": "무릎 각도", "hip": "엉덩이 각도", "elbow": "팔꿈치 각도", "shoulder": "어깨 각도",
    "craniovertebral": "두개척추각", "shoulder_abduction": "어깨 벌림", "shoulder_elevation_ratio": "어깨 올림",
    "shoulder_extension": "어깨 폄", "shoulder_external_rotation": "어깨 바깥 회전", "shoulder_flexion": "어깨 굽힘",
    "Reps {n} / {g}": "{n} / {g}회", "Space: play / pause; ← →: one frame; Home / End": "스페이스: 재생/일시정지, ← →: 한 프레임, Home / End", "Last results": "최근 결과", "Preparing the voice coach…": "음성 코치 준비 중…", "Age": "나이", "Level": "수준", "Conditions": "상태", "Avoid": "제외 운동",
    "beginner": "초급", "intermediate": "중급", "advanced": "고급", "<18": "18세 미만", "18-39": "18-39세",
    "40-64": "40-64세", "65-79": "65-79세", "80+": "80세 이상",
    "e.g. knee_valgus, forward_head_posture": "예: knee_valgus, forward_head_posture",
    "exercise ids to leave out": "제외할 운동 id", "Save patient details": "환자 정보 저장",
    "avoid: unknown exercise {x}": "제외 운동: 알 수 없는 운동 {x}", "Save landmarks…": "관절 위치 저장…", "Saved {p}": "{p} 저장함",
    "Save the analysed landmarks as a recording that replays without the pose model":
        "분석한 관절 위치를 자세 인식 모델 없이 다시 볼 수 있는 기록으로 저장", "All exercises": "모든 운동", "Range of motion (°)": "가동 범위 (°)",
    "Form score": "자세 점수", "Tempo accuracy (%)": "템포 정확도 (%)", "Reps done of prescribed (%)": "처방 대비 완료 반복 (%)",
    "Sessions in the last 7 days: {n}": "최근 7일 운동: {n}회", "week": "주", "set": "세트", "rep": "반복",
    "faults": "자세 오류", "Cues": "코칭", "Pain": "통증", "Effort": "힘든 정도", "pain": "통증", "effort": "힘든 정도", "Front from camera": "카메라로 정면", "Side from camera": "카메라로 측면",
    "The photo appears here with a guide showing where to stand": "사진과 함께 설 위치를 보여 주는 안내선이 여기에 나타나요",
    "{n} s": "{n}초", "stopped for now": "당분간 중단",
    "Stand inside the outline: {n}": "윤곽선 안에 서세요: {n}", "Front": "정면", "Side": "측면", "patient's own setting": "환자 본인 설정", "Voice coaching": "음성 코칭",
})

# Workout page: the end-of-session summary
KO.update({
    "Session summary": "운동 요약", "{k} sets × {n} {u}": "{k}세트 × {n}{u}", "partial reps: {p}": "부분 반복: {p}",
    "Best rep": "가장 좋은 반복", "Worst rep": "가장 아쉬운 반복", "set {s}, rep {r} (score {x})": "{s}세트 {r}번째 (점수 {x})",
    "Faults": "자세 오류", "No faults": "자세 오류 없음",
})

# Workout page: the end-of-session summary
KO.update({
    "Session summary": "운동 요약", "{k} sets × {n} {u}": "{k}세트 × {n}{u}", "partial reps: {p}": "부분 반복: {p}",
    "Best rep": "가장 좋은 반복", "Worst rep": "가장 아쉬운 반복", "set {s}, rep {r} (score {x})": "{s}세트 {r}번째 (점수 {x})",
    "Faults": "자세 오류", "No faults": "자세 오류 없음",
})

# History page: the week's sentence and empty charts
KO.update({
    "No data yet": "아직 데이터가 없어요",
    "Your {name} range of motion improved {d}° this week": "이번 주 {name} 가동 범위가 {d}° 좋아졌어요",
    "Your {name} range of motion held steady this week": "이번 주 {name} 가동 범위는 지난주와 같아요",
    "Your {name} range of motion was {d}° less than the week before": "이번 주 {name} 가동 범위가 지난주보다 {d}° 줄었어요",
})

# Programs page: patient list, readable headers, pickers
KO.update({
    "Patients": "환자 목록", "New patient name": "새 환자 이름", "Add patient": "환자 추가",
    "{p} has no program yet": "{p}님은 아직 프로그램이 없어요", "{p}: program {n}, version {v}": "{p}: 프로그램 {n}, 버전 {v}",
    "{x} (not in the catalog)": "{x} (목록에 없음)",
    "Hold (s)": "유지 (초)", "Tempo (s per phase)": "템포 (단계별 초)", "Rest (s)": "휴식 (초)",
    "Safe min (°)": "안전 최소 (°)", "Safe max (°)": "안전 최대 (°)", "Target (°)": "목표 (°)",
    "Sets": "세트", "Reps": "반복", "Remove": "삭제", "Move up": "위로", "Move down": "아래로", "Patient": "환자",
})

# First-run welcome, demo label, Today's start button
KO.update({
    "Start: {name}": "시작: {name}", "Welcome": "환영합니다", "Welcome to FitCoach": "핏코치에 오신 것을 환영합니다",
    "FitCoach watches you through a webcam (or a video), counts your reps, measures tempo and range of motion, "
    "and says what to fix. Everything stays on this computer.":
        "핏코치는 웹캠(또는 동영상)으로 운동을 보고 횟수를 세며, 템포와 가동 범위를 재고 고칠 점을 알려 줍니다. "
        "모든 데이터는 이 컴퓨터에만 남습니다.",
    "Your name (profile)": "이름 (프로필)", "Your level": "운동 수준",
    "Check the camera": "카메라 확인", "Try a sample video": "샘플 영상 보기",
    "A demo: a synthetic exerciser made by FitCoach, not a real person; nothing is saved":
        "데모: 핏코치가 만든 가상의 운동하는 사람이며 실제 사람이 아닙니다. 아무것도 저장되지 않습니다",
    "Camera found: {c}": "카메라 찾음: {c}",
    "Press “Check the camera” to see yourself": "“카메라 확인”을 누르면 내 모습을 볼 수 있어요",
    "No camera found. You can try a sample video, or open a recorded workout in the Workout page.":
        "카메라가 없습니다. 샘플 영상을 보거나, 운동 페이지에서 녹화한 운동을 열 수 있어요.",
    "Save and start": "저장하고 시작", "1. Who is exercising": "1. 누가 운동하나요", "2. Camera": "2. 카메라",
    "Opening the camera…": "카메라를 여는 중…", "The camera did not work: {e}": "카메라가 작동하지 않아요: {e}",
    "The camera works ({w}×{h}). Stand so that your whole body is in the picture.":
        "카메라가 작동해요 ({w}×{h}). 온몸이 화면에 들어오도록 서 주세요.",
    "Please enter a name for your profile.": "프로필 이름을 입력해 주세요.",
    "Demo: a synthetic exerciser made by FitCoach, not a real person. Nothing of it is saved. "
    "Open your own clip or recording to analyse it.":
        "데모: 핏코치가 만든 가상의 운동하는 사람이며 실제 사람이 아닙니다. 아무것도 저장되지 않습니다. "
        "분석하려면 직접 찍은 영상이나 기록을 여세요.",
})

# Form scorer explanations (fitcoach.core.scorer: measure names and the reason line)
KO.update({
    "{name} {value}; correct reps: {range}": "{name} {value}; 올바른 반복: {range}",
    "knee angle": "무릎 각도", "hip angle": "엉덩이 각도", "elbow angle": "팔꿈치 각도", "shoulder angle": "어깨 각도",
    "arm raised forward": "팔 앞으로 든 각도", "arm raised sideways": "팔 옆으로 든 각도",
    "forearm turned out": "아래팔 바깥 회전", "shoulder-hip-ankle line": "어깨-엉덩이-발목 선",
    "shin lean": "정강이 기울기", "heel lift": "뒤꿈치 들림", "knee caving in": "무릎 안쪽 쏠림",
    "head uprightness": "머리 세움", "trunk lean": "상체 기울기", "body incline": "몸 기울기",
    "hips off the body line": "몸통 선에서 벗어난 엉덩이", "knee width / ankle width": "무릎 너비 / 발목 너비",
    "ankle spread / hip width": "발목 벌림 / 엉덩이 너비", "shoulder tilt": "어깨 기울기",
    "ear-to-shoulder height": "귀-어깨 높이", "pelvic tilt": "골반 기울기",
    "smaller side": "작은 쪽", "larger side": "큰 쪽",
    "lowest in the rep": "반복 중 최저", "highest in the rep": "반복 중 최고",
    "Why the score": "점수 이유", "What lowered the form score most": "자세 점수를 가장 많이 낮춘 것",
    "Analysis is behind: {n} frames per second": "분석이 늦어지고 있습니다: 초당 {n}프레임",
})
