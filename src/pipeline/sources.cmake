# pipeline: the main job (detection -> GMC -> tracking over a stream), frame reading and drawing.
target_sources(trackkit PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/frame_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/npy_frames.cpp
  ${CMAKE_CURRENT_LIST_DIR}/track_painter.cpp)
# Frames from image folders and videos where this OpenCV can decode them (.npy frame arrays always).
if(TRACKKIT_HAVE_IMGCODECS)
  target_link_libraries(trackkit PRIVATE opencv_imgcodecs)
  set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/frame_reader.cpp APPEND PROPERTY COMPILE_DEFINITIONS TRACKKIT_HAVE_IMGCODECS=1)
endif()
if(TRACKKIT_HAVE_VIDEOIO)
  target_link_libraries(trackkit PRIVATE opencv_videoio)
  set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/frame_reader.cpp APPEND PROPERTY COMPILE_DEFINITIONS TRACKKIT_HAVE_VIDEOIO=1)
endif()
